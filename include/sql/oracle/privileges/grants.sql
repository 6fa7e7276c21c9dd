-- Least privileges for the service account the `hcc_warehouse` connection logs in as.
-- Generated from plugins/hcc_operators/core/privileges.py by `hcc grants`; do not edit
-- by hand (a test compares this file with the declaration). Run as a DBA in
-- SQL*Plus/SQLcl; `hcc grants --account NAME --scratch TS --repository TS` prints it
-- for your names and adds the quotas for the tablespaces your MOVE policies target.
-- Grants marked OPTIONAL are only needed for the feature named; `hcc preflight`
-- reports which ones a running deployment lacks. Rule ids refer to
-- docs/oracle-rules.md.

-- The repository's tables land in the account's default tablespace (hcc_repo).
ALTER USER hcc_svc DEFAULT TABLESPACE hcc_repo;

-- The repository tables live in the account's default tablespace: give it one with quota
-- (ORA-01950 at the first insert otherwise). (PRIV-03)
ALTER USER hcc_svc QUOTA UNLIMITED ON hcc_repo;

-- DBMS_COMPRESSION builds its sample tables in the scratch tablespace (advisor.yaml
-- scratch_tablespace; the default tablespace when unset). (PRIV-02)
ALTER USER hcc_svc QUOTA UNLIMITED ON hcc_scratch;

-- Log in at all: every task connects as this account.
GRANT CREATE SESSION TO hcc_svc;

-- The repository tables (include/sql/oracle/schema/hcc_repository.sql) and the sample tables
-- DBMS_COMPRESSION.GET_COMPRESSION_RATIO builds and drops in the caller's schema, inside the
-- scratch tablespace.
GRANT CREATE TABLE TO hcc_svc;

-- The repository tables' identity columns: Oracle creates a sequence for each, and CREATE TABLE
-- fails with ORA-01031 without this privilege. (PRIV-05)
GRANT CREATE SEQUENCE TO hcc_svc;

-- Row counts for reconciliation, compression estimates and samples of the managed tables;
-- ALL_TABLES / ALL_TAB_PARTITIONS / ALL_TAB_MODIFICATIONS / ALL_INDEXES list only tables the
-- account can access. To confine the account to some schemas, grant SELECT on each of their
-- tables instead. (PRIV-07)
GRANT SELECT ANY TABLE TO hcc_svc;

-- The partition DDL (MOVE, MERGE, EXCHANGE, RENAME, MODIFY PARTITION ... READ ONLY, MODIFY
-- DEFAULT ATTRIBUTES, REBUILD UNUSABLE LOCAL INDEXES) on tables other schemas own. (PRIV-01)
GRANT ALTER ANY TABLE TO hcc_svc;

-- ALTER INDEX ... REBUILD [PARTITION | SUBPARTITION] on indexes other schemas own. (PRIV-13)
GRANT ALTER ANY INDEX TO hcc_svc;

-- DBMS_STATS.FLUSH_DATABASE_MONITORING_INFO before DML activity is read (without it the flush
-- is skipped and ALL_TAB_MODIFICATIONS may be 15 minutes old), and GATHER_STATS follow-ups on
-- tables other schemas own (STATS-06). (PRIV-08)
GRANT ANALYZE ANY TO hcc_svc;

-- OPTIONAL, only for destructive policies (DROP, TRUNCATE): DROP or TRUNCATE PARTITION of a
-- table the account does not own. (DROP-04)
GRANT DROP ANY TABLE TO hcc_svc;

-- OPTIONAL, only for EXCHANGE actions and archive-before-drop: CREATE TABLE ... FOR EXCHANGE in
-- the table owner's schema. (PRIV-04)
GRANT CREATE ANY TABLE TO hcc_svc;

-- OPTIONAL, only for EXCHANGE actions and archive-before-drop: The archive table's twins of the
-- local indexes that EXCHANGE ... INCLUDING INDEXES needs, created in the table owner's schema.
-- (PRIV-12)
GRANT CREATE ANY INDEX TO hcc_svc;

-- Oracle-maintained accounts are excluded through DBA_USERS.ORACLE_MAINTAINED.
GRANT SELECT ON sys.dba_users TO hcc_svc;

-- Segment sizes (bytes, blocks) of tables, partitions and subpartitions.
GRANT SELECT ON sys.dba_segments TO hcc_svc;

-- Tablespace capacity and read-only state for space checks.
GRANT SELECT ON sys.dba_tablespaces TO hcc_svc;

-- Tablespace usage for space-pressure policies.
GRANT SELECT ON sys.dba_tablespace_usage_metrics TO hcc_svc;

-- OPTIONAL, only for Heat Map access times (Advanced Compression Option declared): Segment
-- access times from Heat Map (HEAT_MAP=ON); read only when the connection declares the Advanced
-- Compression Option. (LIC-04)
GRANT SELECT ON sys.dba_heat_map_segment TO hcc_svc;

-- OPTIONAL, only for AWR segment statistics (Diagnostics Pack declared): Segment read counts
-- from AWR when Heat Map has no data; Diagnostics Pack only. (LIC-01)
GRANT SELECT ON sys.dba_hist_seg_stat TO hcc_svc;

-- OPTIONAL, only for AWR segment statistics (Diagnostics Pack declared): AWR object names.
GRANT SELECT ON sys.dba_hist_seg_stat_obj TO hcc_svc;

-- OPTIONAL, only for AWR segment statistics (Diagnostics Pack declared): AWR snapshot times.
GRANT SELECT ON sys.dba_hist_snapshot TO hcc_svc;

-- OPTIONAL, only for hcc preflight: The table owners' quotas on the tablespaces MOVE policies
-- target. (VIEW-02)
GRANT SELECT ON sys.dba_ts_quotas TO hcc_svc;

-- OPTIONAL, only for hcc preflight: COMPATIBLE and HEAT_MAP from V$PARAMETER (grant on the V_$
-- view behind the synonym). (VIEW-03)
GRANT SELECT ON sys.v_$parameter TO hcc_svc;

-- Compression estimates and per-row compression types. Granted to PUBLIC by default; explicit
-- so a hardened database that revoked PUBLIC grants keeps working. (DBC-06)
GRANT EXECUTE ON sys.dbms_compression TO hcc_svc;

-- Tag sessions with module/action so a DBA sees in V$SESSION which task runs the DDL. (PRIV-09)
GRANT EXECUTE ON sys.dbms_application_info TO hcc_svc;

-- DBMS_STATS: the monitoring flush and GATHER_STATS follow-ups (ANALYZE ANY above is the right
-- to use them on other schemas).
GRANT EXECUTE ON sys.dbms_stats TO hcc_svc;
