-- Owners of at least one table; :include_maintained = 1 keeps SYS, SYSTEM and the other
-- Oracle-maintained accounts, which the advisor must never touch by default.
SELECT t.owner
FROM all_tables t
JOIN dba_users u ON u.username = t.owner
WHERE :include_maintained = 1 OR u.oracle_maintained = 'N'
GROUP BY t.owner
ORDER BY t.owner
