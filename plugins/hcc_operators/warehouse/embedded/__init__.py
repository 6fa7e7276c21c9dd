"""The embedded demo warehouse: a SQLite file that simulates an Oracle data warehouse."""
