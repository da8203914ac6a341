"""The report pages' Jinja2 environment: package templates, every value escaped."""

from __future__ import annotations

import functools

import jinja2

from analyzer import i18n
from analyzer.resources import package_path


@functools.cache
def environment() -> jinja2.Environment:
    """The templates of ``analyzer/reports/templates``, autoescaped, undefined names refused."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(package_path("reports", "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    i18n.install(env)
    return env


def render(name: str, **context: object) -> str:
    """Render template ``name`` with ``context``, in the language in force."""
    lang = i18n.current()
    return environment().get_template(name).render(
        html_lang="zh-CN" if lang == "zh_CN" else lang, **context)
