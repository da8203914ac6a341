"""Help pages in the language of the command line.

The commands' help (their docstrings, the options' ``help=``) is written in
English in the source, like every message of the product, and shown through
:mod:`analyzer.i18n` when the page is formatted: the language in force then is
the one the command line chose (``--lang`` anywhere on it, else
``$CONDUCT_LANG``, else 简体中文; see :class:`analyzer.cli.LazyGroup`). Every
command of ``conduct`` is a :class:`Command` or a :class:`Group`; a group's
sub-commands are made with these classes too.

Click's own words on the page (``Usage:``, ``Options``, the help and version
options' help) are in the same catalogue (:data:`CLICK_WORDS`). Click's error
messages ("No such option", "Missing argument") come from click's own
``gettext`` domain, which no catalogue of this product fills: they stay in
English (docs/manual/languages.md).

Babel finds the help texts with :func:`extract` (``babel.cfg``), so
``tests/test_i18n.py`` fails on a help text without a Chinese translation.
"""

from __future__ import annotations

import ast
import copy
import inspect
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import IO, Any

import click

from analyzer import i18n
from analyzer.i18n import N_

#: Click's words on a help page, translated from this product's catalogue.
CLICK_WORDS: tuple[str, ...] = (N_("Usage:"), N_("Options"), N_("Commands"),
                                N_("Show this message and exit."),
                                N_("Show the version and exit."), N_("(DEPRECATED)"))


def help_message(text: str) -> str:
    """The message id of a command's help (what click shows, up to a form feed)."""
    return inspect.cleandoc(text).partition("\f")[0]


def translate(text: str | None) -> str:
    """A help text in the language in force (``None``: empty)."""
    if not text:
        return ""
    return i18n.gettext(help_message(text))


def first_sentence(text: str, limit: int) -> str:
    """The first sentence of a help text, for a group's list of commands.

    English ends at the first word ending in ``.`` (kept, as click does),
    Chinese at the first ``。`` (dropped); a sentence over ``limit``
    characters is cut with ``...``.
    """
    paragraph = text.split("\n\n")[0]
    if i18n.current() == "en":
        words = []
        for word in paragraph.split():
            words.append(word)
            if word.endswith("."):
                break
        sentence = " ".join(words)
    else:
        sentence = paragraph.replace("\n", "").partition("。")[0]
    return sentence if len(sentence) <= limit else sentence[:limit - 3].rstrip() + "..."


#: One piece a line may break after: a run of spaces, a run of other ASCII, or one other character.
_TOKENS = re.compile(r"\s+|[!-~]+|.")
#: Punctuation that never starts a line (the character before it moves down with it).
_NO_LINE_START = frozenset("，。；：、！？）》」』”’,.;:!?)")


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def wrap_wide(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; Chinese breaks between characters, words stay whole.

    Paragraphs (blank-line separated) are kept apart by an empty line;
    closing punctuation never starts a line (nor goes past the width).
    """
    lines: list[str] = []
    for n, paragraph in enumerate(text.split("\n\n")):
        if n:
            lines.append("")
        line, used, space = "", 0, False
        for token in _TOKENS.findall(paragraph.strip()):
            if token.isspace():
                space = bool(line) and (space or "\n" not in token or not _is_wide(line[-1:]))
                continue
            gap = 1 if space else 0
            size = columns(token)
            if line and used + gap + size > width:
                carry = ""  # punctuation that may not start a line takes the character before it
                if token in _NO_LINE_START and len(line) > 1 and _is_wide(line[-1]):
                    line, carry = line[:-1], line[-1]
                lines.append(line)
                line, used, gap = carry, columns(carry), 0
            line += " " * gap + token
            used += gap + size
            space = False
        lines.append(line)
    return lines


class WideFormatter(click.HelpFormatter):
    """Click's help formatter, wrapping Chinese by the columns it takes on a terminal.

    Text without CJK characters is wrapped by click as before.
    """

    def write_text(self, text: str) -> None:
        if not _is_wide(text):
            super().write_text(text)
            return
        indent = " " * self.current_indent
        width = max(self.width - self.current_indent, 11)
        for line in wrap_wide(text, width):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        if not any(_is_wide(second) for _first, second in rows):
            super().write_dl(rows, col_max, col_spacing)
            return
        first_col = min(max((columns(first) for first, _second in rows), default=0),
                        col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if columns(first) <= first_col - col_spacing:
                self.write(" " * (first_col - columns(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_wide(second, max(self.width - first_col - 2, 10))
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class HelpContext(click.Context):
    """A command's context whose help pages wrap Chinese by terminal columns."""

    formatter_class = WideFormatter


class TranslatedHelp(click.Command):
    """A command whose help page is written in the language in force when it is shown."""

    context_class = HelpContext

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces),
                              prefix=f"{i18n.gettext('Usage:')} ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = translate(self.help)
        if self.deprecated:
            text = f"{text} {i18n.gettext('(DEPRECATED)')}"
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            text = translate(self.short_help)
        else:
            text = first_sentence(translate(self.help), limit)
        if self.deprecated:
            text = f"{text} {i18n.gettext('(DEPRECATED)')}"
        return text.strip()

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options with their help translated (and a group's commands after them)."""
        rows = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):
                continue  # click lists them apart (and only when they have help)
            shown = param
            if isinstance(param, click.Option) and param.help:
                shown = copy.copy(param)
                shown.help = i18n.gettext(param.help)
            record = shown.get_help_record(ctx)
            if record is not None:
                rows.append(record)
        if rows:
            with formatter.section(i18n.gettext("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """A group's sub-commands with their whole first sentence (wrapped, never cut)."""
        if not isinstance(self, click.Group):
            return
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=300)))
        if rows:
            with formatter.section(i18n.gettext("Commands")):
                formatter.write_dl(rows)


class Command(TranslatedHelp):
    """A ``conduct`` command (``@click.command(cls=Command)``)."""


class Group(TranslatedHelp, click.Group):
    """A ``conduct`` command group; its sub-commands are :class:`Command`/:class:`Group` too."""

    command_class = Command
    group_class = type


#: Calls whose ``help=``-like keywords are help texts.
_HELP_CALLS = frozenset({"option", "Option", "argument", "command", "group", "version_option",
                         "help_option"})
_HELP_KEYWORDS = frozenset({"help", "short_help", "epilog"})
_COMMAND_DECORATORS = frozenset({"command", "group"})


def _name(node: ast.expr) -> str | None:
    """The called name of ``click.option(...)``/``option(...)``/``@g.command``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """``(line, message id)`` of every click help text in a module's source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node) in _HELP_CALLS:
            for keyword in node.keywords:
                value = keyword.value
                if (keyword.arg in _HELP_KEYWORDS and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)):
                    yield value.lineno, help_message(value.value)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators = [d for d in node.decorator_list if _name(d) in _COMMAND_DECORATORS]
            given = any(k.arg == "help" for d in decorators if isinstance(d, ast.Call)
                        for k in d.keywords)
            doc = ast.get_docstring(node, clean=False)
            if decorators and doc and not given:
                yield node.lineno, help_message(doc)


def extract(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
            options: Any) -> Iterator[tuple[Any, ...]]:
    """Babel extraction method for the command line: ``_()`` calls and click help texts.

    ``babel.cfg`` names it in ``[extractors]``; the module's ``_()``/``N_()``
    calls are found as Babel's Python method finds them.
    """
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for line, message in help_texts(source):
        if message:
            yield line, None, message, []
