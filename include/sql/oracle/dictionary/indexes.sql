-- Indexes of one table: non-partitioned indexes one row each, partitioned indexes one row per
-- index partition. LOB indexes are maintained by Oracle and cannot be rebuilt by hand. The
-- partitions of a composite-partitioned index have no segment and cannot be rebuilt
-- (ORA-14287): they are left out here and dictionary/index_subpartitions lists their
-- subpartitions instead (docs/oracle-rules.md IDX-02, IDX-10).
SELECT
  i.owner,
  i.index_name,
  i.table_owner,
  i.table_name,
  'GLOBAL' AS locality,
  i.status,
  CAST(NULL AS VARCHAR2(128)) AS partition_name
FROM all_indexes i
WHERE i.table_owner = :owner
  AND i.table_name = :table_name
  AND i.partitioned = 'NO'
  AND i.index_type <> 'LOB'
UNION ALL
SELECT
  i.owner,
  i.index_name,
  i.table_owner,
  i.table_name,
  pi.locality,
  ip.status,
  ip.partition_name
FROM all_indexes i
JOIN all_part_indexes pi ON pi.owner = i.owner AND pi.index_name = i.index_name
JOIN all_ind_partitions ip ON ip.index_owner = i.owner AND ip.index_name = i.index_name
WHERE i.table_owner = :owner
  AND i.table_name = :table_name
  AND i.partitioned = 'YES'
  AND i.index_type <> 'LOB'
  AND ip.composite = 'NO'
ORDER BY 2, 7
