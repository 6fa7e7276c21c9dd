-- hcc preflight: the account's own quotas; MAX_BYTES -1 is unlimited (VIEW-02).
SELECT tablespace_name, max_bytes
FROM user_ts_quotas
