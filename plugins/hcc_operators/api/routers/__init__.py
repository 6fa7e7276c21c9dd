"""One router per area of the console; each requires an Airflow token except health."""
