-- Enabled PRIMARY KEY and UNIQUE constraints of one table with their columns in order and
-- the index enforcing each: an archive table for EXCHANGE needs the same keys
-- (docs/oracle-rules.md EXCHANGE-05, EXCHANGE-06).
SELECT
  c.owner,
  c.constraint_name,
  c.constraint_type,
  c.index_name,
  cc.column_name,
  cc.position
FROM all_constraints c
JOIN all_cons_columns cc ON cc.owner = c.owner AND cc.constraint_name = c.constraint_name
WHERE c.owner = :owner
  AND c.table_name = :table_name
  AND c.constraint_type IN ('P', 'U')
  AND c.status = 'ENABLED'
ORDER BY c.constraint_name, cc.position
