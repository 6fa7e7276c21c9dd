-- Write the in-memory DML monitoring counters to the dictionary so ALL_TAB_MODIFICATIONS is
-- current. Needs ANALYZE ANY; without it Oracle raises ORA-20000 and the caller reads the
-- counters as of the last automatic flush instead.
BEGIN
  DBMS_STATS.FLUSH_DATABASE_MONITORING_INFO;
END;
