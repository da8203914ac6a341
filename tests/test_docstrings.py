"""Docs in the code stay true: every cross-reference resolves, and a package's docstring
lists only its own modules (a module that moved is not left listed where it was)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "analyzer"
MODULES = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
           for p in PACKAGE.rglob("*.py")}
REF = re.compile(r":(?:mod|class|func|meth|attr|data|exc):`~?(analyzer(?:\.\w+)+)(?:\(\))?`")


def _resolves(target: str) -> bool:
    """True when ``target`` names a module of the package, or something defined in one."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        if module not in MODULES:
            continue
        obj: object = importlib.import_module(module)
        for name in parts[i:]:
            fields = getattr(obj, "__dataclass_fields__", {}) or getattr(obj, "__annotations__", {})
            if hasattr(obj, name):
                obj = getattr(obj, name)
            elif name in fields:
                return name == parts[-1]
            else:
                return False
        return True
    return False


def test_every_cross_reference_in_a_docstring_resolves():
    stale = [f"{path.relative_to(PACKAGE.parent)}: {m.group(0)}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for m in REF.finditer(path.read_text("utf-8")) if not _resolves(m.group(1))]
    assert not stale, "\n".join(stale)


def test_a_package_docstring_lists_only_its_own_modules():
    by_leaf: dict[str, set[str]] = {}
    for module in MODULES:
        by_leaf.setdefault(module.rsplit(".", 1)[-1], set()).add(module)
    wrong = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        package = ".".join(init.parent.relative_to(PACKAGE.parent).parts)
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8"))) or ""
        for line in doc.splitlines():  # "* :mod:`analyzer.pkg.module`: what it does"
            bullet = re.match(r"\s*\* :mod:`~?([\w.]+)`", line)
            if bullet and not bullet.group(1).startswith(package + "."):
                wrong.append(f"{package} lists {bullet.group(1)}")
        for name in re.findall(r"``(\w+)`` \(", doc):  # "``decode`` (PyAV to 16 kHz ...)"
            if f"{package}.{name}" not in MODULES and name in by_leaf:
                wrong.append(f"{package} lists {name}, which is {sorted(by_leaf[name])}")
    assert not wrong, "\n".join(wrong)
