"""Read-only queries of the repository behind the API, one module per area."""
