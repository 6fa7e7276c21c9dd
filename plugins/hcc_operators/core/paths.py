"""Where the user-edited configuration lives.

HCC_CONFIG_DIR wins; otherwise include/config of the project (HCC_PROJECT_ROOT, or the folder
two levels above plugins/hcc_operators, which is the Astro project layout).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("HCC_PROJECT_ROOT")
    return Path(env) if env else Path(__file__).resolve().parents[3]


def config_dir() -> Path:
    env = os.environ.get("HCC_CONFIG_DIR")
    return Path(env) if env else project_root() / "include" / "config"


def sql_dir() -> Path:
    return project_root() / "include" / "sql" / "oracle"
