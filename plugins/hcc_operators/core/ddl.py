"""Oracle DDL for each Action, built from validated identifiers and bound-free literals.

render() is the only place partition DDL text is produced; the Oracle backend executes it and
the embedded warehouse records it, so dry runs and logs show the exact statements.
"""

from __future__ import annotations

from hcc_operators.core.models import Action


def render(action: Action, *, version: tuple[int, ...] = (19,)) -> list[str]:
    """The statements that perform ``action`` on a database of ``version``, in order."""
    raise NotImplementedError("core.ddl.render is being written (see issue 7)")
