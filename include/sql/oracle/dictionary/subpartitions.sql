-- Subpartitions of one owner (optionally one table, partition or subpartition) with their segment size.
SELECT
  sp.table_owner,
  sp.table_name,
  sp.partition_name,
  sp.subpartition_name,
  sp.subpartition_position,
  sp.high_value,
  sp.tablespace_name,
  sp.compression,
  sp.compress_for,
  sp.num_rows,
  sp.last_analyzed,
  sp.interval AS is_interval,
  sp.read_only,
  COALESCE(s.bytes, 0) AS bytes,
  COALESCE(s.blocks, 0) AS blocks
FROM all_tab_subpartitions sp
JOIN dba_users u ON u.username = sp.table_owner AND u.oracle_maintained = 'N'
LEFT JOIN dba_segments s
  ON s.owner = sp.table_owner
  AND s.segment_name = sp.table_name
  AND s.partition_name = sp.subpartition_name
  AND s.segment_type = 'TABLE SUBPARTITION'
WHERE sp.table_owner = :owner
  AND (:table_name IS NULL OR sp.table_name = :table_name)
  AND (:partition_name IS NULL OR sp.partition_name = :partition_name)
  AND (:subpartition_name IS NULL OR sp.subpartition_name = :subpartition_name)
ORDER BY sp.table_name, sp.partition_name, sp.subpartition_position
