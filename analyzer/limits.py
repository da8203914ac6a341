"""Input limits: what every configuration file and identifier is held to, in one place.

* **Configuration files** (lexicons, scoring templates) are read through
  :func:`read_config_text`: a regular file (not a device such as
  ``/dev/zero``, a FIFO or a folder), at most :data:`MAX_CONFIG_BYTES`
  bytes (read no further than that), UTF-8 text.
* **TOML** is parsed by Python's ``tomllib``, which recurses once per level
  of nested arrays and inline tables: :func:`toml_nesting_problem` refuses
  text nested deeper than :data:`MAX_TOML_DEPTH` before it is parsed,
  naming the line, so no input reaches a ``RecursionError``.
* **Transcripts** (a ``.json`` file, one line of a ``.jsonl`` file): at
  most :data:`MAX_RECORD_BYTES` bytes each, refused before they are parsed
  (a 50 MB line was analysed at 5.3 GB of memory); a JSON Lines file is read
  a line at a time, and an overlong line is skipped without being held.
* **Recordings**: at most :data:`MAX_CHANNEL_MINUTES` minutes of audio
  counted over all channels (80 minutes of a mono recording, 40 of a stereo
  call), refused from the header's length before anything is decoded, or as
  soon as decoding passes it (a header may lie): the analysis of one
  recording holds about 4 bytes per decoded byte of audio, and a worker
  must stay within 1.5 GiB (a 30-minute silent stereo call: 1.2 GB).
* **Identifiers** (an interaction's id, hall, window and staff id; account
  names; the staff ids of accounts, rectifications and the directory):
  :func:`identifier_problem` refuses control and format characters (NUL,
  line breaks, bidirectional overrides such as U+202E, which make
  ``S-\\u202e1000`` render as "S-0001"; zero-width characters; private-use
  and surrogate code points) and more than :data:`MAX_ID_CHARS` characters.

Each check returns or raises one message a person can act on; the callers
add the file, line and field.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from analyzer.errors import LexiconError

#: Largest configuration file read (bytes). The shipped lexicon is about 30 KB.
MAX_CONFIG_BYTES = 4 * 1024 * 1024
#: Deepest nesting of arrays and inline tables in a TOML configuration file.
MAX_TOML_DEPTH = 32
#: Largest transcript record (bytes): one ``.json`` file or one JSON Lines line. A
#: three-hour call's report, word timings and all, is about 3 MB.
MAX_RECORD_BYTES = 16 * 1024 * 1024
#: Most audio one recording may hold, in minutes summed over its channels.
MAX_CHANNEL_MINUTES = 80
#: Longest identifier (characters).
MAX_ID_CHARS = 200
#: Unicode categories no identifier may hold: controls, format characters
#: (bidirectional overrides and isolates, zero-width joiners, the BOM),
#: surrogates, private use, line and paragraph separators.
REFUSED_CATEGORIES: frozenset[str] = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def read_config_text(path: str | Path, what: str) -> str:
    """The text of a configuration file, within the limits.

    Args:
        path: The file.
        what: What it is, for messages (``lexicon``, ``scoring template``).

    Raises:
        LexiconError: Naming the file: missing or unreadable, not a regular
            file, larger than :data:`MAX_CONFIG_BYTES`, or not UTF-8.
    """
    source = str(path)
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise LexiconError(f"cannot read {what}: {exc.strerror or exc}", source=source) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise LexiconError(f"cannot read {what}: not a regular file", source=source)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise LexiconError(f"cannot read {what}: {exc.strerror or exc}", source=source) from None
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:
        raise LexiconError(f"{what} is larger than {_size(MAX_CONFIG_BYTES)}", source=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{what} is not UTF-8 text (byte {exc.start})", source=source) \
            from None


def size_text(n: int) -> str:
    """A byte count as people read it (``16 MiB``, ``512 KiB``)."""
    return _size(n)


def _size(n: int) -> str:
    return f"{n / 1048576:g} MiB" if n >= 1048576 else f"{n / 1024:g} KiB"


#: The TOML tokens that open or close strings, comments and nesting.
_TOML_TOKENS = re.compile(r'"""|\'\'\'|\\.|["\'#\[\]{}\n]', re.DOTALL)


def toml_nesting_problem(text: str, limit: int = MAX_TOML_DEPTH) -> tuple[int, str] | None:
    """Where TOML text nests arrays or inline tables deeper than ``limit``: (line, message).

    Brackets inside strings and comments do not count. Table headers
    (``[a]``, ``[[a]]``) count as one or two levels, which the limit allows.
    Returns None when the text is within the limit (it may still be invalid TOML).
    """
    if text.count("[") + text.count("{") <= limit:
        return None
    depth, line = 0, 1
    closer: str | None = None  # the token that ends the string or comment we are in
    for m in _TOML_TOKENS.finditer(text):
        token = m.group()
        if "\n" in token:
            line += token.count("\n")
            if closer == "\n" or closer in ('"', "'"):  # a comment or a one-line string ends
                closer = None
            continue
        if closer is not None:
            if token == closer or (closer == "'" and token == "\\'"):
                closer = None  # (no escapes in a literal string: its quote ends it)
            continue
        if token in ('"""', "'''", '"', "'"):
            closer = token
        elif token == "#":
            closer = "\n"
        elif token in ("[", "{"):
            depth += 1
            if depth > limit:
                return line, f"nested deeper than {limit} levels of arrays or inline tables"
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return None


def check_toml_nesting(text: str, source: str) -> None:
    """Refuse TOML text nested too deep to parse (:func:`toml_nesting_problem`).

    Raises:
        LexiconError: Naming ``source`` and the line.
    """
    problem = toml_nesting_problem(text)
    if problem is not None:
        raise LexiconError(problem[1], source=source, line=problem[0])


def identifier_problem(value: str) -> str | None:
    """Why ``value`` cannot be an identifier, or None (see the module docstring)."""
    if len(value) > MAX_ID_CHARS:
        return f"longer than {MAX_ID_CHARS} characters ({len(value)})"
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in REFUSED_CATEGORIES:
            name = unicodedata.name(ch, "")
            shown = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
            return (f"contains a control or format character ({shown}) at position {i + 1}; "
                    "ids may not hold invisible or direction-changing characters")
    return None
