-- DML since the last statistics gathering, per table, partition and subpartition of one owner.
SELECT
  m.table_owner,
  m.table_name,
  m.partition_name,
  m.subpartition_name,
  m.inserts,
  m.updates,
  m.deletes,
  m.truncated,
  m.timestamp AS modified_at
FROM all_tab_modifications m
WHERE m.table_owner = :owner
ORDER BY m.table_name, m.partition_name, m.subpartition_name
