"""FastAPI app mounted by the plugin under /hcc."""
