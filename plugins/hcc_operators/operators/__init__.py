"""Thin Airflow operators: build the warehouse in execute(), call services, return small XCom."""
