"""Languages: Simplified Chinese first, English available.

Every string a user reads (pages, reports, exports, command output) is
written in English in the source and translated through GNU gettext message
catalogues kept with Babel: ``analyzer/locale/<lang>/LC_MESSAGES/conduct.po``
(the translations, reviewed by people) compiled to ``conduct.mo`` (what runs,
shipped in the wheel and read with :mod:`importlib.resources`). English is the
source language, so it needs no catalogue.

The language in force is a context variable: the command line sets it once
(``conduct --lang en`` or ``CONDUCT_LANG``), the review app per request from
the user's choice. Templates use Jinja2's ``i18n`` extension
(``{% trans %}``, ``_()``, ``ngettext``) over the same catalogues
(:func:`install`); the command line's help pages go through them too
(:mod:`analyzer.cli.helptext`).

Maintainers (``babel.cfg`` at the repository root)::

    O="--no-location --sort-output -w 100"
    pybabel extract -F babel.cfg -k N_ -k NP_:1c,2 $O -o analyzer/locale/conduct.pot .
    pybabel update -i analyzer/locale/conduct.pot -d analyzer/locale -D conduct -w 100
    pybabel compile -d analyzer/locale -D conduct

``tests/test_i18n.py`` fails when a message has no translation or a
compiled catalogue is stale.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from analyzer.resources import package_path

#: Languages a user may choose, the default first.
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT = "zh_CN"
#: How each language names itself (the switch shows these).
NATIVE_NAMES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
#: The gettext domain of the catalogues.
DOMAIN = "conduct"
#: The environment variable a command line's default language is read from.
ENV = "CONDUCT_LANG"

_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh_hans": "zh_CN",
            "zh-hans": "zh_CN", "cn": "zh_CN", "en": "en", "en_us": "en", "en-us": "en",
            "en_gb": "en", "en-gb": "en"}

_current: ContextVar[str] = ContextVar("conduct_language", default=DEFAULT)


def normalize(lang: str | None) -> str:
    """A language as one of :data:`LANGUAGES` (``"zh"``, ``"zh-CN"`` -> ``"zh_CN"``).

    Raises:
        ValueError: The language is not one the product speaks.
    """
    if not lang:
        return DEFAULT
    key = lang.strip().split(".")[0].lower()
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")


def default_language() -> str:
    """The language a command line starts in: ``$CONDUCT_LANG``, else Chinese."""
    try:
        return normalize(os.environ.get(ENV))
    except ValueError:
        return DEFAULT


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the source text itself)."""
    lang = normalize(lang)
    if lang == "en":
        return _gettext.NullTranslations()
    path = package_path("locale", lang, "LC_MESSAGES", f"{DOMAIN}.mo")
    with path.open("rb") as fh:
        return _gettext.GNUTranslations(fh)


def current() -> str:
    """The language in force here."""
    return _current.get()


def set_language(lang: str | None) -> str:
    """Make ``lang`` the language in force in this context; return it, normalized."""
    lang = normalize(lang)
    _current.set(lang)
    return lang


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Use ``lang`` inside the block (``None``: keep the one in force)."""
    if lang is None:
        yield current()
        return
    token = _current.set(normalize(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    """``message`` in the language in force, formatted with ``variables`` if any.

    ``_("%(n)s found", n=3)`` -> ``"共 3 条"``.
    """
    text = translations(current()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, /, **variables: object) -> str:
    """The form of ``singular``/``plural`` that fits ``n``, in the language in force.

    The text is formatted with ``num`` (= ``n``) and ``variables`` when it has
    placeholders: ``ngettext("%(num)d finding", "%(num)d findings", 2)``.
    """
    text = translations(current()).ngettext(singular, plural, n)
    if variables or "%(num)" in text:
        return text % {"num": n, **variables}
    return text


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (for words that mean different things), translated."""
    return translations(current()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (translated where shown)."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark ``message`` in ``context`` for translation (see :func:`label`)."""
    return message


#: Values stored in the database and shown to people: status words, channels,
#: roles, grades. ``label(value)`` translates them; ``NP_`` lets Babel find them.
VALUE_WORDS: tuple[str, ...] = (
    NP_("value", "counter"), NP_("value", "phone"), NP_("value", "staff"),
    NP_("value", "citizen"), NP_("value", "unknown"),
    NP_("value", "confirm"), NP_("value", "dismiss"), NP_("value", "comment"),
    NP_("value", "unreviewed"), NP_("value", "reviewed"), NP_("value", "confirmed"),
    NP_("value", "dismissed"),
    NP_("value", "open"), NP_("value", "overdue"), NP_("value", "done"),
    NP_("value", "upheld"), NP_("value", "overturned"),
    NP_("value", "inspector"), NP_("value", "supervisor"), NP_("value", "trainer"),
    NP_("value", "admin"),
    NP_("value", "required"), NP_("value", "forbidden"), NP_("value", "measure"),
    NP_("value", "acoustic"), NP_("value", "learned"), NP_("value", "missing"),
    NP_("value", "uncivil"), NP_("value", "ring"), NP_("value", "hangup"),
    NP_("value", "unanswered"), NP_("value", "interruption"), NP_("value", "quarrel"),
    NP_("value", "piecemeal"), NP_("value", "earlier_visit"), NP_("value", "hours"),
    NP_("value", "good"), NP_("value", "bad"),
    NP_("value", "stereo"), NP_("value", "mono"), NP_("value", "same_mix"),
    NP_("value", "auto"), NP_("value", "crosstalk"), NP_("value", "background"),
    NP_("value", "reattributed"), NP_("value", "dropped"),
    NP_("value", "silenced"), NP_("value", "record"),
    NP_("value", "audio"), NP_("value", "below"), NP_("value", "share"),
    NP_("value", "minimum"), NP_("value", "exact"), NP_("value", "fuzzy"),
    NP_("value", "pinyin"), NP_("value", "variant"), NP_("value", "classifier"),
    NP_("value", "month"), NP_("value", "quarter"), NP_("value", "year"),
    NP_("value", "days"),
    NP_("value", "tone"), NP_("value", "silence"),
    NP_("value", "bad_input"), NP_("value", "config"), NP_("value", "internal"),
)


def label(value: object) -> str:
    """A stored value as people read it (``"phone"`` -> ``"电话"``); unknown values as they are."""
    text = "" if value is None else str(value)
    if not text:
        return text
    return pgettext("value", text)


def _plain_gettext(message: str) -> str:
    return translations(current()).gettext(message)


def _plain_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def install(env: Any) -> None:
    """Give a Jinja2 environment ``_``, ``gettext``, ``ngettext`` and the ``label`` filter.

    The environment gets the ``jinja2.ext.i18n`` extension (new-style
    gettext: ``{{ _("%(n)s found", n=3) }}`` formats and escapes) over the
    language in force when the template renders.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext=_plain_gettext, ngettext=_plain_ngettext,
                                  pgettext=pgettext, newstyle=True)
    env.filters["label"] = label
    env.globals["current_language"] = current
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["NATIVE_NAMES"] = NATIVE_NAMES
