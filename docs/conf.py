"""Sphinx configuration of the conduct-analyzer manual (MyST Markdown, built offline).

``sphinx-build -W -b html docs docs/_build/html`` (``.ci/run``). Two reference pages
are generated from the code on every build, so they cannot go stale:
``reference/options.md`` from the option dataclasses (:mod:`analyzer.options`,
:mod:`analyzer.config`) and the CLI reference from the click commands (sphinx-click).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _ext.options_page import write_options_page  # noqa: E402

from analyzer import i18n  # noqa: E402

# The manual is in English: its CLI reference shows the commands' help in the source language
# (``conduct --help`` itself is in 简体中文 unless --lang en or $CONDUCT_LANG=en).
i18n.set_language("en")

project = "conduct-analyzer"
author = "conduct-analyzer team"
copyright = "2026, conduct-analyzer team"
language = "en"
extensions = ["myst_parser", "sphinx_click"]
source_suffix = {".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build", "_ext", "README.md"]
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence", "deflist"]
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = "conduct-analyzer manual"

write_options_page(HERE / "reference" / "options.md")
