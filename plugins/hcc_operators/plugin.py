"""Registers the package with Airflow: the timetables, the /hcc app and its UI page, and the
listener that writes an ILM run's outcome into its DAG run note."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from hcc_operators import run_notes
from hcc_operators.timetables import DailyTimetable, MaintenanceWindowTimetable


def _fastapi_apps() -> list[dict]:
    try:
        from hcc_operators.api.app import create_app
    except ImportError:  # the API lands separately; the timetable must register regardless
        return []
    return [{"app": create_app(), "url_prefix": "/hcc", "name": "HCC compression & ILM"}]


class HccPlugin(AirflowPlugin):
    name = "hcc_operators"
    timetables = [MaintenanceWindowTimetable, DailyTimetable]
    fastapi_apps = _fastapi_apps()
    listeners = [run_notes]
    external_views = [
        {
            "name": "HCC compression & ILM",
            "href": "/hcc/dashboard",
            "destination": "nav",
            "category": "browse",
            "url_route": "hcc",
        }
    ]
