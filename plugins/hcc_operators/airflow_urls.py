"""Where Airflow is: its API for the console's calls, its UI for links. Shared by the API (which
runs inside Airflow's API server) and the CLI (which prints links), so both read the same
settings the same way.

Airflow's configuration is imported inside the functions: the CLI calls them only when Airflow
is set up on the machine.
"""

from __future__ import annotations

UNSPECIFIED_HOSTS = ("", "0.0.0.0", "::")


def _conf_get(key: str, fallback: str) -> str:
    from airflow.configuration import conf

    return conf.get("api", key, fallback=fallback) or fallback


def api_base_url() -> str:
    """Where this process reaches Airflow's API: [api] base_url, else host and port."""
    base = _conf_get("base_url", "")
    if base:
        return base.rstrip("/")
    host = _conf_get("host", "0.0.0.0")
    # A wildcard listen address is not something to connect to; the server is local.
    host = "127.0.0.1" if host in UNSPECIFIED_HOSTS else host
    scheme = "https" if _conf_get("ssl_cert", "") else "http"
    return f"{scheme}://{host}:{_conf_get('port', '8080')}"


def ui_root() -> str:
    """Prefix for UI links in pages the UI serves: base_url when configured, else empty
    (root-relative to the server that served the page)."""
    return _conf_get("base_url", "").rstrip("/")
