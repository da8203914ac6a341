"""The options reference, written from the option dataclasses themselves.

Each field's help is the comment on its line in the source (the house rule:
"add a field there with a comment giving its unit"), its default the
dataclass default; so the page changes exactly when the code does.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import tokenize
from pathlib import Path
from typing import Any


def field_comments(cls: type) -> dict[str, str]:
    """Field name -> the comment on its line in ``cls``'s source."""
    source = inspect.getsource(cls)
    comments: dict[str, str] = {}
    current = None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.start[1] == 4 and current is None:
            current = tok.string
        elif tok.type == tokenize.COMMENT and current is not None:
            comments[current] = tok.string.lstrip("# ").strip()
        if tok.type in (tokenize.NEWLINE, tokenize.NL):
            current = None
    return comments


def _default(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
        if dataclasses.is_dataclass(value):
            return "(block)"
    else:
        return "(required)"
    return f"`{value!r}`".replace("|", "\\|")


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def block_table(cls: type, prefix: str) -> list[str]:
    """A Markdown table of one options block."""
    comments = field_comments(cls)
    rows = ["| option | type | default | what it is |", "| --- | --- | --- | --- |"]
    for f in dataclasses.fields(cls):
        if f.name.startswith("_"):
            continue
        kind = str(f.type).replace("|", "\\|")
        rows.append(f"| `{prefix}{f.name}` | `{kind}` | {_default(f)} | "
                    f"{comments.get(f.name, '').replace('|', '/')} |")
    return rows


def write_options_page(path: Path) -> None:
    """Write ``reference/options.md`` (only when its text changed, so rebuilds stay quiet)."""
    from analyzer import config, options

    lines = ["# Options reference", "",
             "Generated from `analyzer/options.py` and `analyzer/config.py` when the manual is "
             "built. Set an analysis option with `--set SECTION.NAME=VALUE` (`conduct analyze`, "
             "`batch`, `stream`); every report records the options it ran with "
             "(`analyzer.options` in the report).", ""]
    top = options.AnalyzerOptions
    for f in dataclasses.fields(top):
        block = f.default_factory() if f.default_factory is not dataclasses.MISSING else None
        if block is not None and dataclasses.is_dataclass(block):
            cls = type(block)
            lines += [f"## `{f.name}`: {cls.__name__}", "", _summary(cls), "",
                      *block_table(cls, f"{f.name}."), ""]
    lines += ["## `lexicon`", "", "Extra lexicon files layered over the shipped one, in order "
              "(`--lexicon FILE`).", ""]
    for cls in (config.WebConfig, config.ListenConfig):
        lines += [f"## Service settings: {cls.__name__}", "", _summary(cls),
                  "(command-line options of `conduct serve` and `conduct stream --listen`; "
                  "not recorded in reports)", "", *block_table(cls, ""), ""]
    text = "\n".join(lines).rstrip() + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
