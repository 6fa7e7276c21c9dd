-- Optimizer statistics for one partition a rewrite (MOVE, COMPRESS, MERGE) just produced: a
-- move leaves the segment's statistics invalid (docs/oracle-rules.md MOVE-09).
-- With the table's INCREMENTAL preference TRUE, granularity AUTO refreshes the partition's
-- synopsis and derives global statistics from the synopses without scanning the table;
-- otherwise the caller's granularity is used (default 'APPROX_GLOBAL AND PARTITION': the
-- partition, with global statistics aggregated from the partitions). The values of
-- GRANULARITY and the INCREMENTAL preference are rows STATS-02/03 (unverified).
DECLARE
  v_incremental VARCHAR2(30);
BEGIN
  v_incremental := DBMS_STATS.GET_PREFS('INCREMENTAL', :ownname, :tabname);
  DBMS_STATS.GATHER_TABLE_STATS(
    ownname => :ownname,
    tabname => :tabname,
    partname => :partname,
    granularity => CASE WHEN UPPER(v_incremental) = 'TRUE' THEN 'AUTO' ELSE :granularity END,
    cascade => TRUE,
    degree => :degree);
END;
