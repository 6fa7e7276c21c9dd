-- Reads and block changes per table segment of one owner over the last :days days, from AWR
-- segment statistics. AWR needs the Diagnostics Pack licence: the backend only sends this when
-- the connection declares it (extra hcc_awr_licensed).
SELECT
  o.owner,
  o.object_name,
  CASE WHEN o.object_type = 'TABLE SUBPARTITION' THEN sp.partition_name ELSE o.subobject_name END
    AS partition_name,
  CASE WHEN o.object_type = 'TABLE SUBPARTITION' THEN o.subobject_name END AS subpartition_name,
  SUM(s.logical_reads_delta) AS logical_reads,
  SUM(s.physical_reads_delta) AS physical_reads,
  MAX(CASE WHEN s.logical_reads_delta > 0 THEN sn.end_interval_time END) AS last_read,
  MAX(CASE WHEN s.db_block_changes_delta > 0 THEN sn.end_interval_time END) AS last_change
FROM dba_hist_seg_stat s
JOIN dba_hist_snapshot sn
  ON sn.snap_id = s.snap_id
  AND sn.dbid = s.dbid
  AND sn.instance_number = s.instance_number
JOIN dba_hist_seg_stat_obj o
  ON o.dbid = s.dbid
  AND o.ts# = s.ts#
  AND o.obj# = s.obj#
  AND o.dataobj# = s.dataobj#
LEFT JOIN all_tab_subpartitions sp
  ON sp.table_owner = o.owner
  AND sp.table_name = o.object_name
  AND sp.subpartition_name = o.subobject_name
WHERE o.owner = :owner
  AND o.object_type IN ('TABLE', 'TABLE PARTITION', 'TABLE SUBPARTITION')
  AND sn.begin_interval_time >= SYSTIMESTAMP - NUMTODSINTERVAL(:days, 'DAY')
GROUP BY
  o.owner,
  o.object_name,
  o.object_type,
  o.subobject_name,
  sp.partition_name
