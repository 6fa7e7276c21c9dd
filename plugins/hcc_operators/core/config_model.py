"""What every model of a user-edited configuration file shares.

``allow_inf_nan=False``: YAML spells infinity ``.inf``, and a float field that accepts it turns
a typo into "never" (a retention that never expires, a threshold nothing reaches) without a
word. Bounds on each numeric field are declared with the field; the ones several files share
live here.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

#: A century: the longest retention, age or look-back any file may ask for, in days.
MAX_DAYS: Final = 36_500
#: A year: the longest look-back or alert interval written in hours.
MAX_HOURS: Final = 8_760


class ConfigModel(BaseModel):
    """Base of the configuration models: unknown keys are errors, values are finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
