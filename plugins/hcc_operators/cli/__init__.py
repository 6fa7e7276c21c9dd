"""The `hcc` command-line tool: validate configuration, preview and explain ILM work, status.

Read-only by design: no subcommand changes the warehouse or the repository.
"""
