"""ILM and advisor state tables (SQLAlchemy Core) beside the warehouse."""
