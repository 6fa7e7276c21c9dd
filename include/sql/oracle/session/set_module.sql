-- Tag the session so a DBA sees in V$SESSION (MODULE, ACTION) which task runs the DDL.
BEGIN
  DBMS_APPLICATION_INFO.SET_MODULE(module_name => :module_name, action_name => :action_name);
END;
