-- Partitions of one owner (optionally one table, one partition) with their size. A composite
-- partition has no segment of its own: its size is the sum of its subpartitions' segments.
-- HIGH_VALUE is a LONG, so it is only selected here and never grouped or compared; the sums
-- are computed in inline views that do not touch it. A composite partition carries its
-- table's SUBPARTITIONING_TYPE: on a *-HASH table only the TABLESPACE of its defaults can be
-- changed (docs/oracle-rules.md COMPOSITE-05).
SELECT
  p.table_owner,
  p.table_name,
  p.partition_name,
  p.partition_position,
  p.high_value,
  p.tablespace_name,
  p.compression,
  p.compress_for,
  p.num_rows,
  p.last_analyzed,
  p.interval AS is_interval,
  p.read_only,
  p.composite,
  pt.subpartitioning_type,
  COALESCE(ps.bytes, ss.bytes, 0) AS bytes,
  COALESCE(ps.blocks, ss.blocks, 0) AS blocks
FROM all_tab_partitions p
JOIN dba_users u ON u.username = p.table_owner AND u.oracle_maintained = 'N'
LEFT JOIN all_part_tables pt ON pt.owner = p.table_owner AND pt.table_name = p.table_name
LEFT JOIN (
  SELECT s.segment_name, s.partition_name, SUM(s.bytes) AS bytes, SUM(s.blocks) AS blocks
  FROM dba_segments s
  WHERE s.owner = :owner AND s.segment_type = 'TABLE PARTITION'
  GROUP BY s.segment_name, s.partition_name
) ps ON ps.segment_name = p.table_name AND ps.partition_name = p.partition_name
LEFT JOIN (
  SELECT sp.table_name, sp.partition_name, SUM(s.bytes) AS bytes, SUM(s.blocks) AS blocks
  FROM all_tab_subpartitions sp
  JOIN dba_segments s
    ON s.owner = sp.table_owner
    AND s.segment_name = sp.table_name
    AND s.partition_name = sp.subpartition_name
    AND s.segment_type = 'TABLE SUBPARTITION'
  WHERE sp.table_owner = :owner
  GROUP BY sp.table_name, sp.partition_name
) ss ON ss.table_name = p.table_name AND ss.partition_name = p.partition_name
WHERE p.table_owner = :owner
  AND (:table_name IS NULL OR p.table_name = :table_name)
  AND (:partition_name IS NULL OR p.partition_name = :partition_name)
ORDER BY p.table_name, p.partition_position
