"""The package's shape: no import cycles, layers import downwards, data ships as package data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analyzer"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str], *, top_level_only: bool) -> set[str]:
    """Modules of ``analyzer`` that ``path`` imports (at module level, or anywhere).

    ``from pkg import mod`` counts as importing ``pkg.mod`` (a submodule's
    package is always initialised first; that is no cycle of ours).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("analyzer"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analyzer"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found


def import_graph(*, top_level_only: bool) -> dict[str, set[str]]:
    """analyzer module -> the analyzer modules it imports."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = {t for t in _imports(path, set(modules), top_level_only=top_level_only)
                   if t in modules}
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("top_level_only", [True, False], ids=["module-level", "any-import"])
def test_no_import_cycles(top_level_only):
    graph = import_graph(top_level_only=top_level_only)
    assert len(graph) > 40  # the walk saw the package
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


#: Layers, lowest first: a module may import its own layer and those below.
LAYERS = [
    {"analyzer.errors", "analyzer.types", "analyzer.resources", "analyzer._version",
     "analyzer.tables", "analyzer.validation", "analyzer.limits", "analyzer.i18n",
     "analyzer.halltime"},
    {"analyzer.options", "analyzer.config"},
    {"analyzer.text"},
    {"analyzer.rules"},
    {"analyzer.speech"},
    {"analyzer.pipeline", "analyzer.sink"},
    {"analyzer.store", "analyzer.training"},
    {"analyzer.persist"},
    {"analyzer.batch", "analyzer.stream", "analyzer.web", "analyzer.reports"},
    {"analyzer.cli", "analyzer.__main__"},
]


def _layer(module: str) -> int | None:
    for i, layer in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in layer):
            return i
    return None


def test_layers_import_only_downwards():
    upward = []
    for module, targets in import_graph(top_level_only=False).items():
        mine = _layer(module)
        for target in targets:
            theirs = _layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} -> {target}")
    assert not upward, "\n".join(sorted(upward))


def test_training_code_does_not_import_the_web_app():
    for module, targets in import_graph(top_level_only=False).items():
        if module.startswith("analyzer.training"):
            assert not any(t.startswith("analyzer.web") for t in targets), module


# -- one analysis core --------------------------------------------------------

#: What builds a report from an interaction or a recording, beneath the core's API:
#: (module, function). Only the core (``analyzer.pipeline``) and the module that
#: defines a builder may use it; every entry point calls the core instead.
REPORT_BUILDERS = {
    ("analyzer.pipeline.scoring", "analyze_interaction"),
    ("analyzer.pipeline", "analyze_interaction"),
    ("analyzer.speech.recording", "analyze_recording"),
    ("analyzer.speech.recording", "hear"),
    ("analyzer.speech.recording", "conclude"),
}
#: Where the builders may be used.
CORE = ("analyzer.pipeline", "analyzer.speech.recording")
#: Each entry point and the core function it takes its results from.
ENTRY_POINTS = {
    "analyzer.cli.analyze": "analyze_inputs",
    "analyzer.batch.worker": "analyze_task",
    "analyzer.batch.transcripts": "analyze_transcript",
    "analyzer.batch.runner": "rescore",
    "analyzer.stream.live": "conclude_call",
}


def builder_uses(source: str) -> list[str]:
    """Where ``source`` (a module's text) builds a report other than through the core:
    a builder imported or called by name, or an ``InteractionReport`` constructed."""
    names = {name for _, name in REPORT_BUILDERS}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [f"imports {node.module}.{a.name}" for a in node.names
                      if (node.module, a.name) in REPORT_BUILDERS]
        elif isinstance(node, ast.Attribute) and node.attr in names - {"hear", "conclude"}:
            found.append(f"uses .{node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name == "InteractionReport":
                found.append("constructs InteractionReport")
    return found


def test_the_builder_finder_finds_planted_uses():
    assert builder_uses("from analyzer.pipeline import analyze_interaction\n")
    assert builder_uses("from analyzer.speech.recording import conclude\n")
    assert builder_uses("import analyzer.pipeline as p\np.analyze_interaction(x)\n")
    assert builder_uses("r = InteractionReport(id='x')\n")
    assert not builder_uses("from analyzer.pipeline import analyze_task, conclude_call\n")


def test_every_entry_point_builds_reports_only_through_the_core():
    """analyze, batch, stream and --listen (and anything else) call the analysis core;
    none scores an interaction or runs the audio path by itself."""
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        if module.startswith(CORE) or module == "analyzer.types":
            continue
        uses = builder_uses(path.read_text(encoding="utf-8"))
        if uses:
            offenders[module] = uses
    assert not offenders, offenders
    graph = import_graph(top_level_only=False)
    for module, function in ENTRY_POINTS.items():
        tree = ast.parse((PACKAGE.parent / (module.replace(".", "/") + ".py")).read_text(
            encoding="utf-8"))
        taken = {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module and node.module.startswith("analyzer.pipeline")
                 for a in node.names}
        assert function in taken, f"{module} does not call the core's {function}"
    # the live recorder keeps a call as the batch keeps a recording, not through the batch
    assert "analyzer.persist" in graph["analyzer.stream.record"]
    assert "analyzer.persist" in graph["analyzer.batch.runner"]
    assert not any(t.startswith("analyzer.batch") for t in graph["analyzer.stream.record"])
