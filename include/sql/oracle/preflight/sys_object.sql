-- hcc preflight: whether the account can reach one SYS view or package (ALL_OBJECTS lists the
-- objects accessible to the current user, VIEW-07).
SELECT object_name
FROM all_objects
WHERE owner = 'SYS'
  AND object_name = :object_name
