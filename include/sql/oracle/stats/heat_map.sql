-- Last read and write per table segment of one owner from Heat Map (HEAT_MAP=ON). The view has
-- no object type, so a subobject is resolved to partition or subpartition through
-- ALL_TAB_SUBPARTITIONS; index segments are dropped by the join to ALL_TABLES.
SELECT
  h.owner,
  h.object_name,
  COALESCE(sp.partition_name, h.subobject_name) AS partition_name,
  sp.subpartition_name,
  h.segment_write_time,
  h.segment_read_time,
  h.full_scan,
  h.lookup_scan
FROM dba_heat_map_segment h
JOIN all_tables t ON t.owner = h.owner AND t.table_name = h.object_name
LEFT JOIN all_tab_subpartitions sp
  ON sp.table_owner = h.owner
  AND sp.table_name = h.object_name
  AND sp.subpartition_name = h.subobject_name
WHERE h.owner = :owner
