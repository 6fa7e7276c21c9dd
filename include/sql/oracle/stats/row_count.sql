-- Exact row count of one table, partition or subpartition, for reconciliation around a
-- rewrite. {target} is the partition-extended name built by core.ddl.segment_target; a
-- table name cannot be a bind variable.
SELECT COUNT(*) AS row_count
FROM {target}
