-- hcc preflight: the system privileges currently available to the session, directly or
-- through enabled roles (docs/oracle-rules.md VIEW-01).
SELECT privilege
FROM session_privs
