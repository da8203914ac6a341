"""One exception tree: defined in ``analyzer/errors.py`` only, drawn truly in its docstring,
and turned into exit codes in one place by the command line."""

from __future__ import annotations

import ast
import builtins
import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from analyzer import errors
from analyzer.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "analyzer"
#: Names that make a class an exception when they appear among its bases.
EXCEPTION_BASES = ({n for n, v in vars(builtins).items()
                    if isinstance(v, type) and issubclass(v, BaseException)}
                   | {n for n, v in vars(errors).items()
                      if isinstance(v, type) and issubclass(v, BaseException)}
                   | {"ClickException", "UsageError", "BadParameter", "HTTPException"})


def _base_name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def test_no_exception_class_is_defined_outside_errors():
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    _base_name(b) in EXCEPTION_BASES for b in node.bases):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not found, "exception classes belong in analyzer/errors.py:\n" + "\n".join(found)


def _drawn_tree() -> dict[str, str]:
    """class name -> parent name, read from the tree in errors.py's docstring."""
    doc = errors.__doc__ or ""
    lines = [line for line in doc.splitlines() if re.search(r"[├└]── |^\s{4}Exception$", line)]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in lines:
        m = re.match(r"^(\s*(?:[│ ]\s*)*)(?:[├└]── )?([\w.]+)", line)
        assert m, line
        depth, name = m.start(2), m.group(2).split(".")[-1]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_the_docstring_draws_the_real_tree():
    drawn = _drawn_tree()
    defined = {n: v for n, v in vars(errors).items()
               if isinstance(v, type) and issubclass(v, BaseException)
               and v.__module__ == errors.__name__}
    assert set(defined) <= set(drawn), f"not drawn: {set(defined) - set(drawn)}"
    for name, cls in defined.items():
        assert drawn[name] == cls.__bases__[0].__name__, name
    assert issubclass(errors.NotFound, errors.StoreError)
    assert issubclass(errors.InvalidRequest, ValueError)
    assert issubclass(errors.JsonInputError, ValueError)


def test_every_required_extra_exists():
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
                 ["project"]["optional-dependencies"])
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and _base_name(node.func) == "require"
                    and len(node.args) > 1):
                calls.append((path.name, ast.literal_eval(node.args[1])))
    assert calls and all(extra in extras for _, extra in calls), calls


def test_a_missing_dependency_names_what_to_install():
    with pytest.raises(errors.MissingDependencyError, match=r"conduct-analyzer\[web\]"):
        errors.require("no_such_module_xyz", "web")
    with pytest.raises(errors.MissingDependencyError) as err:
        errors.require("no_such_module_xyz")
    assert "[" not in str(err.value) and "pip install 'no_such_module_xyz'" in str(err.value)


def test_no_command_catches_an_error_only_to_reraise_it():
    """The group maps errors to exit codes; commands do not repeat it."""
    copies = []
    for path in (PACKAGE / "cli").glob("*.py"):
        text = path.read_text("utf-8")
        copies += [f"{path.name}: {m}" for m in re.findall(r"raise ConfigError\(str\(exc\)\)", text)]
    assert not copies, copies


def test_an_error_ending_a_command_exits_2_with_its_message(tmp_path: Path):
    runner = CliRunner()
    missing = tmp_path / "missing.sqlite"
    r = runner.invoke(main, ["report", "--db", str(missing)])
    assert r.exit_code == 2 and "error: " in r.output and str(missing) in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nid = 3\n", "utf-8")
    r = runner.invoke(main, ["lexicon", "show", "--extra", str(bad)])
    assert r.exit_code == 2 and str(bad) in r.output


def test_exit_codes_map_errors_in_one_place():
    from analyzer.cli.exits import exit_codes

    with pytest.raises(click.ClickException) as err, exit_codes():
        raise errors.NotFound("no interaction with id 7", source="r.sqlite")
    assert err.value.exit_code == 2 and err.value.format_message().endswith("id 7")
    with pytest.raises(KeyError), exit_codes():  # a bug is not an exit code
        raise KeyError("x")
