"""The Airflow connection the package uses unless told otherwise.

Its own module so that operators (imported at DAG parse) and the warehouse factory share one
value without the operators importing the warehouse package.
"""

DEFAULT_CONN_ID = "hcc_warehouse"
