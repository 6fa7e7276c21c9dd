-- Database release as "19.0.0.0.0"; only major.minor decide features, so VERSION (present in
-- every release) is enough and VERSION_FULL (18c+) is not needed.
SELECT version
FROM product_component_version
WHERE product LIKE 'Oracle Database%'
