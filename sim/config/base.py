"""The base of every validated input model: frozen, no unknown keys, finite numbers only.

YAML reads ``.inf``, ``.nan`` and ``1e999`` as floats, and pydantic would read ``true``
as the number 1; none of these is a sensible scenario value, so each is an error at load
time instead of a crash or a silent NaN later.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {'true' if value else 'false'}")
    return value


# A number inside a mapping or list (schedules, per-sector values), where the model-level
# check of StrictModel does not reach.
Number = typing.Annotated[float, BeforeValidator(_not_bool)]


def _admits_bool(annotation: Any) -> bool:
    """Whether a field's type accepts true/false as such (bool, Any, or a union with bool)."""
    if annotation is bool or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType or origin is typing.Annotated:
        return any(_admits_bool(arg) for arg in typing.get_args(annotation))
    return False


class StrictModel(BaseModel):
    """Frozen, unknown keys forbidden, non-finite numbers rejected, true/false never a number."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        checked = dict(data)
        for key, value in data.items():
            field = cls.model_fields.get(key) if isinstance(key, str) else None
            if isinstance(value, bool) and field is not None and not _admits_bool(field.annotation):
                checked[key] = _Boolean(value)  # fails the field's own type check, at its own key path
        return checked


class _Boolean:
    """A YAML true/false where a number or name was expected; pydantic rejects it as the wrong type."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "true" if self.value else "false"
