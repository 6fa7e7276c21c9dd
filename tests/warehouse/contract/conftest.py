"""The contract's backend fixture: the embedded warehouse always, a real Oracle when
HCC_ORACLE_TEST_DSN is set (`pytest -m oracle`); without it the Oracle half is skipped with
the reason."""

from __future__ import annotations

import os

import pytest
from backends import DSN_ENV, ORACLE_SKIP, embedded, oracle


@pytest.fixture(
    params=[
        "embedded",
        pytest.param(
            "oracle",
            marks=[
                pytest.mark.oracle,
                pytest.mark.skipif(not os.environ.get(DSN_ENV), reason=ORACLE_SKIP),
            ],
        ),
    ]
)
def backend(request, tmp_path):
    if request.param == "embedded":
        be = embedded(tmp_path)
        yield be
        be.warehouse.close()
    else:
        with oracle() as be:
            yield be
