-- hcc preflight: COMPATIBLE (HCC-03, IDENT-01) and HEAT_MAP (HEAT-01) as the session sees
-- them (V$PARAMETER, VIEW-03).
SELECT name, value
FROM v$parameter
WHERE name IN ('compatible', 'heat_map')
