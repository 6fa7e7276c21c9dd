"""The database boundary: the Warehouse protocol and its backends."""
