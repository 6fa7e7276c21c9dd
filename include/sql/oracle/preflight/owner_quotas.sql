-- hcc preflight: a table owner's quotas, for the tablespaces MOVE policies target (VIEW-02).
SELECT tablespace_name, max_bytes
FROM dba_ts_quotas
WHERE username = :owner
