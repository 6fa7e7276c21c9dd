-- Least privileges for the service account the `hcc_warehouse` connection logs in as.
-- Run as a DBA in SQL*Plus/SQLcl after replacing HCC_SVC (account) and HCC_SCRATCH (scratch
-- tablespace for the compression advisor). Grants marked OPTIONAL are only needed for the
-- feature named. The repository schema's own privileges are in schema/ (not here).

-- Log in at all.
GRANT CREATE SESSION TO hcc_svc;

-- DBMS_COMPRESSION.GET_COMPRESSION_RATIO builds and drops its sample tables in the caller's
-- schema, inside the scratch tablespace: it needs CREATE TABLE and quota there, nothing more.
GRANT CREATE TABLE TO hcc_svc;
ALTER USER hcc_svc QUOTA UNLIMITED ON hcc_scratch;

-- Read the managed tables: row counts for reconciliation, compression estimates and the
-- GET_COMPRESSION_TYPE sample read rows, and ALL_TABLES / ALL_TAB_PARTITIONS /
-- ALL_TAB_MODIFICATIONS / ALL_INDEXES only list tables the account can access. To confine the
-- account to some schemas, grant SELECT on each of their tables instead of this.
GRANT SELECT ANY TABLE TO hcc_svc;

-- The partition DDL (MOVE, MERGE, EXCHANGE, MODIFY PARTITION ... READ ONLY, REBUILD UNUSABLE
-- LOCAL INDEXES) on tables owned by other schemas. The table owner, not this account, needs
-- quota on the target tablespaces of a MOVE.
GRANT ALTER ANY TABLE TO hcc_svc;

-- ALTER INDEX ... REBUILD [PARTITION] on indexes owned by other schemas.
GRANT ALTER ANY INDEX TO hcc_svc;

-- OPTIONAL, only for policies with allow_destructive: Oracle requires DROP ANY TABLE to DROP
-- or TRUNCATE a partition of a table the account does not own.
GRANT DROP ANY TABLE TO hcc_svc;

-- OPTIONAL, only for EXCHANGE actions: CREATE TABLE ... FOR EXCHANGE in another schema.
GRANT CREATE ANY TABLE TO hcc_svc;

-- DBMS_STATS.FLUSH_DATABASE_MONITORING_INFO, so ALL_TAB_MODIFICATIONS is current when the
-- advisor reads DML activity. Without it the flush is skipped (ORA-20000) and the counters are
-- up to 15 minutes old.
GRANT ANALYZE ANY TO hcc_svc;

-- Oracle-maintained accounts are excluded through DBA_USERS.ORACLE_MAINTAINED.
GRANT SELECT ON sys.dba_users TO hcc_svc;

-- Segment sizes (bytes, blocks) of tables, partitions and subpartitions.
GRANT SELECT ON sys.dba_segments TO hcc_svc;

-- Tablespace capacity, usage and read-only state for space-pressure policies.
GRANT SELECT ON sys.dba_tablespaces TO hcc_svc;
GRANT SELECT ON sys.dba_tablespace_usage_metrics TO hcc_svc;

-- Segment access times from Heat Map (when HEAT_MAP=ON).
GRANT SELECT ON sys.dba_heat_map_segment TO hcc_svc;

-- OPTIONAL, only with the Diagnostics Pack licensed (connection extra hcc_awr_licensed):
-- segment read counts from AWR when Heat Map has no data.
GRANT SELECT ON sys.dba_hist_seg_stat TO hcc_svc;
GRANT SELECT ON sys.dba_hist_seg_stat_obj TO hcc_svc;
GRANT SELECT ON sys.dba_hist_snapshot TO hcc_svc;

-- Compression estimates and per-row compression types. Granted to PUBLIC by default; explicit
-- here so a hardened database that revoked PUBLIC grants keeps working.
GRANT EXECUTE ON sys.dbms_compression TO hcc_svc;

-- Tag sessions with module/action so a DBA sees in V$SESSION which task runs the DDL.
GRANT EXECUTE ON sys.dbms_application_info TO hcc_svc;

-- DBMS_STATS.FLUSH_DATABASE_MONITORING_INFO (the package; ANALYZE ANY above is the right).
GRANT EXECUTE ON sys.dbms_stats TO hcc_svc;
