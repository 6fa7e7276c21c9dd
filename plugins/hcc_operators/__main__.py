"""`python -m hcc_operators` runs the `hcc` command-line tool."""

from __future__ import annotations

from hcc_operators.cli.main import main

raise SystemExit(main())
