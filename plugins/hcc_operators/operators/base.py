"""What every operator of the package shares: the warehouse connection and error mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from hcc_operators.core.errors import ConfigError, HccError, PolicyError, WarehouseError
from hcc_operators.repository.schema import create_all
from hcc_operators.warehouse.base import Warehouse
from hcc_operators.warehouse.factory import DEFAULT_CONN_ID, warehouse_from_conn_id


class HccBaseOperator(BaseOperator):
    """Keyword-only construction; the warehouse is only opened inside execute()."""

    ui_color = "#e8f1fb"

    def __init__(self, *, conn_id: str = DEFAULT_CONN_ID, **kwargs) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id

    @contextmanager
    def warehouse(self) -> Iterator[Warehouse]:
        try:
            wh = warehouse_from_conn_id(self.conn_id)
        except ConfigError as err:
            raise AirflowFailException(str(err)) from err
        try:
            create_all(wh.repository_engine())
            yield wh
        except (ConfigError, PolicyError) as err:
            # A retry cannot fix a bad configuration: fail now with the reason.
            raise AirflowFailException(str(err)) from err
        except WarehouseError as err:
            if not err.transient:
                raise AirflowFailException(str(err)) from err
            raise
        except HccError as err:
            raise AirflowFailException(str(err)) from err
        finally:
            wh.close()
