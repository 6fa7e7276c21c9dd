"""Airflow loads plugins from top-level modules of the plugins folder; this one exposes ours."""

from hcc_operators.plugin import HccPlugin

__all__ = ["HccPlugin"]
