-- Estimated compression ratio of one object for one compression type. Oracle builds a sample
-- of :sample_rows rows in the scratch tablespace (the user's default tablespace when
-- :scratch_tablespace is NULL), compresses it and drops it again. comptype is a
-- DBMS_COMPRESSION.COMP_* constant.
DECLARE
  l_scratch VARCHAR2(128) := :scratch_tablespace;
  l_blkcnt_cmp PLS_INTEGER;
  l_blkcnt_uncmp PLS_INTEGER;
  l_row_cmp PLS_INTEGER;
  l_row_uncmp PLS_INTEGER;
  l_ratio NUMBER;
  l_comptype_str VARCHAR2(4000);
BEGIN
  IF l_scratch IS NULL THEN
    SELECT default_tablespace INTO l_scratch FROM user_users;
  END IF;
  DBMS_COMPRESSION.GET_COMPRESSION_RATIO(
    scratchtbsname => l_scratch,
    ownname => :owner,
    objname => :table_name,
    subobjname => :subobject_name,
    comptype => :comptype,
    blkcnt_cmp => l_blkcnt_cmp,
    blkcnt_uncmp => l_blkcnt_uncmp,
    row_cmp => l_row_cmp,
    row_uncmp => l_row_uncmp,
    cmp_ratio => l_ratio,
    comptype_str => l_comptype_str,
    subset_numrows => :sample_rows,
    objtype => DBMS_COMPRESSION.OBJTYPE_TABLE
  );
  :ratio := l_ratio;
  :comptype_str := l_comptype_str;
END;
