"""Oracle HCC compression advice and partition ILM for Apache Airflow."""

__version__ = "0.1.0"
