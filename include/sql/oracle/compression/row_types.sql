-- How the rows of a sample are stored: DBMS_COMPRESSION.GET_COMPRESSION_TYPE per rowid,
-- counted by COMP_* constant. The sample is the first :sample_rows rows the scan returns,
-- which is cheap but favours the segment's first blocks. {target} is the partition-extended
-- name built by core.ddl.segment_target.
SELECT r.comp_type, COUNT(*) AS row_count
FROM (
  SELECT
    DBMS_COMPRESSION.GET_COMPRESSION_TYPE(:owner, :table_name, x.rid, :subobject_name)
      AS comp_type
  FROM (
    SELECT ROWID AS rid
    FROM {target}
    WHERE ROWNUM <= :sample_rows
  ) x
) r
GROUP BY r.comp_type
