-- Non-partitioned tables of one owner (optionally one table) with their segment size.
-- :table_name NULL means every table of the owner.
SELECT
  t.owner,
  t.table_name,
  t.tablespace_name,
  t.compression,
  t.compress_for,
  t.num_rows,
  t.last_analyzed,
  t.read_only,
  COALESCE(s.bytes, 0) AS bytes,
  COALESCE(s.blocks, 0) AS blocks
FROM all_tables t
JOIN dba_users u ON u.username = t.owner AND u.oracle_maintained = 'N'
LEFT JOIN dba_segments s
  ON s.owner = t.owner AND s.segment_name = t.table_name AND s.segment_type = 'TABLE'
WHERE t.owner = :owner
  AND (:table_name IS NULL OR t.table_name = :table_name)
  AND t.partitioned = 'NO'
  AND t.temporary = 'N'
  AND t.nested = 'NO'
  AND t.secondary = 'N'
  AND t.dropped = 'NO'
  AND (t.iot_type IS NULL OR t.iot_type = 'IOT')
  AND t.tablespace_name IS NOT NULL
ORDER BY t.table_name
