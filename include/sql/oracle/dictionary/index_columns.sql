-- The shape of every index of one table, one row per index column: what an archive table
-- needs to mirror for EXCHANGE PARTITION ... INCLUDING INDEXES (docs/oracle-rules.md
-- EXCHANGE-02). LOCALITY comes from ALL_PART_INDEXES; an index that is not partitioned is
-- GLOBAL for this purpose. LOB indexes are Oracle's own and are left out.
SELECT
  i.owner,
  i.index_name,
  COALESCE(pi.locality, 'GLOBAL') AS locality,
  i.uniqueness,
  i.index_type,
  c.column_name,
  c.column_position
FROM all_indexes i
JOIN all_ind_columns c ON c.index_owner = i.owner AND c.index_name = i.index_name
LEFT JOIN all_part_indexes pi ON pi.owner = i.owner AND pi.index_name = i.index_name
WHERE i.table_owner = :owner
  AND i.table_name = :table_name
  AND i.index_type <> 'LOB'
ORDER BY i.owner, i.index_name, c.column_position
