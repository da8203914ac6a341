"""``--set KEY=VALUE``: one option override from the command line, typed like its option."""

from __future__ import annotations

import json

from analyzer.errors import OptionError
from analyzer.options import AnalyzerOptions
from analyzer.validation import option_at

#: What an override's text reads as: the type of the option it names.
Value = bool | int | float | str | tuple[object, ...]

def parse_override(options: AnalyzerOptions, item: str) -> tuple[str, Value]:
    """One ``KEY=VALUE`` of ``--set``, typed like the option it names.

    Args:
        options: The options the override applies to (for the current type).
        item: e.g. ``rings.max_rings=4``, ``rings.pattern=[0.4,0.2,0.4,2]``,
            ``classifier.enabled=false``, ``asr.stereo_speakers=citizen,staff``.

    Returns:
        The dotted key and the typed value (checked again when applied).

    Raises:
        OptionError: No ``=``, an unknown key, a group of options, or a value
            that cannot be read as the option's type.
    """
    key, sep, raw = item.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise OptionError(f"expected KEY=VALUE, got {item!r}", field="--set")
    return key, _read(raw, option_at(options, key), key)


def _read(raw: str, current: object, key: str) -> Value:
    if isinstance(current, bool):
        if raw.lower() in ("true", "1", "yes", "on"):
            return True
        if raw.lower() in ("false", "0", "no", "off"):
            return False
        raise OptionError(f"expected true or false, got {raw!r}", field=key)
    try:
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
    except ValueError:
        what = "an integer" if isinstance(current, int) else "a number"
        raise OptionError(f"expected {what}, got {raw!r}", field=key) from None
    if isinstance(current, tuple):
        try:
            value = json.loads(raw) if raw.startswith("[") else [x for x in raw.split(",") if x]
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, list):
            raise OptionError(f"expected a list such as [1, 2] or a,b, got {raw!r}", field=key)
        return tuple(value)
    return raw
