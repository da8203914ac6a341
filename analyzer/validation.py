"""Frozen dataclasses that check themselves when built: the framework of every option block.

A block subclasses :class:`Checked` and is a frozen dataclass. When one is
built, each field must have its declared type (an ``int`` for an ``int``, a
finite number for a ``float``, a tuple of the declared element type, a
nested block), lie in its declared range and, for a choice, be one of its
choices; lists become tuples and ints become floats where a float is
declared. A bad value is an :class:`~analyzer.errors.OptionError` naming the
option, e.g. ``rings.max_rings: expected an integer, got 'four'``.

The blocks themselves live in :mod:`analyzer.options` (analysis) and
:mod:`analyzer.config` (services).
"""

from __future__ import annotations

import functools
import math
import types
import typing
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from analyzer.errors import OptionError

#: A field's bounds: (low, high), either None for open.
Range = tuple[float | None, float | None]
#: Non-negative.
NONNEG: Range = (0.0, None)
#: A share or probability.
UNIT: Range = (0.0, 1.0)

T = TypeVar("T")


class Checked:
    """Base of the option blocks: checks types, ranges and choices when built.

    Subclasses set ``SECTION`` (the dotted prefix of their options), and may
    set ``_RANGES`` (field -> :data:`Range`) and ``_CHOICES`` (field ->
    allowed values, or allowed elements of a tuple), and override
    :meth:`_check_more` for checks across fields. A range or choice for a
    field the block does not have is refused when the block is defined.
    """

    SECTION: ClassVar[str] = ""
    _RANGES: ClassVar[dict[str, Range]] = {}
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse a block whose ranges or choices name no field (they would check nothing)."""
        super().__init_subclass__(**kwargs)
        own = {name for name, hint in vars(cls).get("__annotations__", {}).items()
               if "ClassVar" not in str(hint)}
        for table in (cls._RANGES, cls._CHOICES):
            stale = sorted(set(table) - own)
            if stale:
                raise TypeError(f"{cls.__name__}: ranges or choices for fields it does not "
                                f"have: {', '.join(stale)}")

    def __post_init__(self) -> None:
        if not is_dataclass(self):
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        hints = _hints(type(self))
        for f in fields(self):
            name = f"{self.SECTION}.{f.name}" if self.SECTION else f.name
            value = checked_value(getattr(self, f.name), hints[f.name], name)
            bounds = self._RANGES.get(f.name, (None, None))
            for item in value if isinstance(value, tuple) else (value,):
                _check_item(name, item, bounds, self._CHOICES.get(f.name))
            object.__setattr__(self, f.name, value)
        self._check_more()

    def _check_more(self) -> None:
        """Checks across fields (overridden where a block needs them)."""


def _check_item(name: str, item: object, bounds: Range,
                choices: tuple[str, ...] | None) -> None:
    low, high = bounds
    if isinstance(item, int | float) and not isinstance(item, bool) and (
            (low is not None and item < low) or (high is not None and item > high)):
        raise OptionError(f"expected a value {_span(low, high)}, got {item!r}", field=name)
    if choices is not None and item not in choices:
        raise OptionError(f"expected one of {', '.join(map(repr, choices))}, got {item!r}",
                          field=name)


def _span(low: float | None, high: float | None) -> str:
    if high is None:
        return f">= {low:g}"
    if low is None:
        return f"<= {high:g}"
    return f"in [{low:g}, {high:g}]"


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def checked_value(value: Any, hint: Any, name: str) -> Any:
    """``value`` as the type ``hint`` declares (lists become tuples, ints floats).

    Raises:
        OptionError: The value does not have that type.
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        return checked_value(value, hint, name)
    if isinstance(hint, type) and is_dataclass(hint):
        if not isinstance(value, hint):
            raise OptionError(f"expected a {hint.__name__} block, got {value!r}", field=name)
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise OptionError(f"expected a list, got {value!r}", field=name)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(checked_value(v, args[0], name) for v in value)
        if len(value) != len(args):
            raise OptionError(f"expected a list of {len(args)} values, got {value!r}", field=name)
        return tuple(checked_value(v, a, name) for v, a in zip(value, args, strict=True))
    return _scalar(value, hint, name)


def _scalar(value: Any, hint: Any, name: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise OptionError(f"expected true or false, got {value!r}", field=name)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise OptionError(f"expected an integer, got {value!r}", field=name)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OptionError(f"expected a number, got {value!r}", field=name)
        if not math.isfinite(value):
            raise OptionError(f"expected a finite number, got {value!r}", field=name)
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise OptionError(f"expected a string, got {value!r}", field=name)
        return value
    if hint is Path:
        if not isinstance(value, str | Path):
            raise OptionError(f"expected a path, got {value!r}", field=name)
        return Path(value)
    return value


def with_dotted(block: T, key: str, value: object) -> T:
    """A copy of ``block`` with the option at dotted ``key`` set to ``value`` (checked).

    Args:
        block: A tree of option blocks.
        key: e.g. ``rings.max_rings``.
        value: The new value; a list for a tuple option becomes a tuple.

    Raises:
        OptionError: The key names no option, or a group of options; the
            value is invalid.
    """
    return cast(T, _set_dotted(block, key.split("."), value, key))


def _set_dotted(obj: Any, path: list[str], value: object, key: str) -> Any:
    if not is_dataclass(obj) or isinstance(obj, type):
        raise OptionError("has no sub-options", field=key)
    if path[0] not in {f.name for f in fields(obj)}:
        raise OptionError("unknown option", field=key)
    current = getattr(obj, path[0])
    if len(path) == 1:
        if is_dataclass(current):
            raise OptionError("is a group of options; name one of them", field=key)
        if isinstance(current, tuple) and isinstance(value, list):
            value = tuple(value)
        return replace(obj, **{path[0]: value})
    return replace(obj, **{path[0]: _set_dotted(current, path[1:], value, key)})


def option_at(block: object, key: str) -> object:
    """The current value of the option at dotted ``key`` (for typing an override).

    Raises:
        OptionError: The key names no option, or a group of options.
    """
    current = block
    for name in key.split("."):
        if not is_dataclass(current) or name not in {f.name for f in fields(current)}:
            raise OptionError("unknown option", field=key)
        current = getattr(current, name)
    if is_dataclass(current):
        raise OptionError("is a group of options; name one of them", field=key)
    return current
