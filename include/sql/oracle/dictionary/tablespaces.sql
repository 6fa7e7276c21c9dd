-- Permanent tablespaces with capacity and usage in bytes. TABLESPACE_SIZE counts autoextend
-- headroom (the maximum size), which is what "space pressure" should be measured against.
SELECT
  ts.tablespace_name,
  ts.status,
  COALESCE(m.tablespace_size, 0) * ts.block_size AS total_bytes,
  COALESCE(m.used_space, 0) * ts.block_size AS used_bytes
FROM dba_tablespaces ts
LEFT JOIN dba_tablespace_usage_metrics m ON m.tablespace_name = ts.tablespace_name
WHERE ts.contents = 'PERMANENT'
ORDER BY ts.tablespace_name
