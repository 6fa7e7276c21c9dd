-- hcc preflight: the account and its default tablespace (where the repository tables land).
SELECT username, default_tablespace
FROM user_users
