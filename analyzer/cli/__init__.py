"""The ``conduct`` command line.

Each sub-command lives in its own module of this package and is imported only
when it runs, so ``conduct analyze`` on a transcript never imports the web
framework or Ray. The group turns the analyzer's errors into exit codes for
every sub-command (:mod:`analyzer.cli.exits`).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any, TextIO

import click

from analyzer._version import __version__
from analyzer.cli.helptext import Group

#: sub-command name -> "module:attribute" inside analyzer.cli
COMMANDS: dict[str, str] = {
    "analyze": "analyze:analyze",
    "lexicon": "lexicon:lexicon",
    "models": "models:models",
    "stream": "stream:stream",
    "line": "line:line",
    "batch": "batch:batch",
    "report": "report:report",
    "serve": "serve:serve",
    "users": "serve:users",
    "examples": "examples:examples",
    "errors": "report:errors",
    "sample": "sample:sample",
    "backup": "backup:backup",
    "staff": "staff:staff",
    "train": "train:train",
}


class LazyGroup(Group):
    """A click group that imports each sub-command on first use.

    Its help and its commands' help are written in the language of the command
    line (:mod:`analyzer.cli.helptext`), chosen before anything is parsed: a
    ``--lang`` anywhere on the line (the last one wins), else ``$CONDUCT_LANG``,
    else 简体中文 — so ``conduct batch --help --lang en`` is English although
    click handles ``--help`` first.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; the language it chose ends with it (callers keep theirs)."""
        from analyzer import i18n

        with i18n.language(i18n.current()):
            return super().main(*args, **kwargs)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        """Set the command line's language from its arguments, then parse them."""
        from analyzer import i18n

        if parent is None:
            i18n.set_language(lang_in(args) or i18n.default_language())
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> object:
        """Run the sub-command; an analyzer error that ends it becomes its exit code."""
        from analyzer.cli.exits import exit_codes

        with exit_codes():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._available())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = self._available().get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(f"analyzer.cli.{module}"), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"analyzer.cli.{module}.{attr} is not a click command")
        return with_lang(command)

    @staticmethod
    def _available() -> dict[str, str]:
        found = {}
        for name, target in COMMANDS.items():
            module = target.split(":")[0]
            if importlib.util.find_spec(f"analyzer.cli.{module}") is not None:
                found[name] = target
        return found


def lang_in(args: list[str]) -> str | None:
    """The language the last ``--lang`` of a command line names (``None``: none, or not one)."""
    from analyzer import i18n

    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    if found is None or found.lower() not in {c.lower() for c in LANG_CHOICES}:
        return None
    return i18n.normalize(found)


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--lang``: the language of what the command writes (default: $CONDUCT_LANG, else 中文)."""
    from analyzer import i18n

    if value is not None:
        i18n.set_language(value)


#: Spellings ``--lang`` takes.
LANG_CHOICES: tuple[str, ...] = ("zh_CN", "zh", "en")


def lang_option() -> click.Option:
    """The ``--lang`` option every command takes (eager: set before anything is written)."""
    return click.Option(["--lang"], type=click.Choice(LANG_CHOICES, case_sensitive=False),
                        default=None, expose_value=False, is_eager=True, callback=_set_language,
                        help="Language of the output: zh_CN (简体中文, the default) or en "
                             "(also $CONDUCT_LANG).")


def with_lang(command: click.Command) -> click.Command:
    """``command`` (and a group's sub-commands) with a ``--lang`` option, added once."""
    if not any(p.name == "lang" for p in command.params):
        command.params.append(lang_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_lang(sub)
    return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conduct")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("--lang", type=click.Choice(LANG_CHOICES, case_sensitive=False), default=None,
              expose_value=False, is_eager=True, callback=_set_language,
              help="Language of the output: zh_CN (简体中文, the default) or en "
                   "(also $CONDUCT_LANG).")
def main(verbose: int, quiet: bool) -> None:
    """Conduct compliance analyzer for government service halls (Chapter 3)."""
    setup_logging(verbose, quiet)


def setup_logging(verbose: int, quiet: bool) -> None:
    """Send the ``analyzer`` logger to stderr at the level ``-v``/``-q`` ask for.

    Default: warnings; ``-v``: progress information; ``-vv``: debug;
    ``-q``: errors only.
    """
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(
        verbose, logging.DEBUG)
    logger = logging.getLogger("analyzer")
    logger.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """The command line's handler (added once, however often ``main`` runs in a process)."""


if __name__ == "__main__":  # pragma: no cover
    main()
