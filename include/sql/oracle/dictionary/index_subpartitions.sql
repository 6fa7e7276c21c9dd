-- Index subpartitions of one table: the local indexes of a composite-partitioned table. Their
-- partitions have no segment (ALL_IND_PARTITIONS.COMPOSITE = 'YES', left out of
-- dictionary/indexes); each subpartition has its own USABLE/UNUSABLE status and is rebuilt
-- on its own, ALTER INDEX ... REBUILD SUBPARTITION (docs/oracle-rules.md IDX-02, IDX-10).
SELECT
  i.owner,
  i.index_name,
  i.table_owner,
  i.table_name,
  pi.locality,
  isp.status,
  isp.partition_name,
  isp.subpartition_name
FROM all_indexes i
JOIN all_part_indexes pi ON pi.owner = i.owner AND pi.index_name = i.index_name
JOIN all_ind_subpartitions isp ON isp.index_owner = i.owner AND isp.index_name = i.index_name
WHERE i.table_owner = :owner
  AND i.table_name = :table_name
  AND i.partitioned = 'YES'
  AND i.index_type <> 'LOB'
ORDER BY i.index_name, isp.partition_position, isp.subpartition_position
