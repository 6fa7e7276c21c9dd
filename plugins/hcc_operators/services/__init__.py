"""Use cases that combine core logic, a warehouse and the repository. No Airflow imports."""
