-- Tables of one owner the package may manage: no temporary, nested, secondary (domain index
-- storage), recycle-bin, IOT overflow/mapping or external tables, no Oracle-maintained owner.
-- A partitioned table keeps its tablespace and compression as partition defaults.
SELECT
  t.owner,
  t.table_name,
  t.partitioned,
  pt.partitioning_type,
  pt.subpartitioning_type,
  pt.interval AS interval_expr,
  t.temporary,
  t.nested,
  t.iot_type,
  COALESCE(t.tablespace_name, pt.def_tablespace_name) AS tablespace_name,
  COALESCE(t.compress_for, pt.def_compress_for) AS compress_for,
  COALESCE(t.compression, pt.def_compression) AS compression,
  t.num_rows,
  t.last_analyzed
FROM all_tables t
JOIN dba_users u ON u.username = t.owner AND u.oracle_maintained = 'N'
LEFT JOIN all_part_tables pt ON pt.owner = t.owner AND pt.table_name = t.table_name
WHERE t.owner = :owner
  AND t.temporary = 'N'
  AND t.nested = 'NO'
  AND t.secondary = 'N'
  AND t.dropped = 'NO'
  AND (t.iot_type IS NULL OR t.iot_type = 'IOT')
  AND NOT EXISTS (
    SELECT 1
    FROM all_external_tables e
    WHERE e.owner = t.owner AND e.table_name = t.table_name
  )
ORDER BY t.table_name
