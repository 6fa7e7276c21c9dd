"""Pure domain logic. Imports nothing from airflow, warehouse or repository (a test enforces it)."""
