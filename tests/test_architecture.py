"""The rules of docs/architecture.md, checked on the source: the layers and the one direction of their
imports, no import circle between the modules of the apps, no import inside a function, the plain
Python of factcheck.analysis and factcheck.web, and task modules that touch no model.  Each rule is
also run on a planted violation, so that a rule that stopped seeing anything would fail here rather
than pass."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The layers, top to bottom (docs/architecture.md draws the same list).  A module belongs to the
#: layer of the longest prefix that names it; it may import its own layer and the layers below.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("config",),  # wiring: settings, URLs, Celery, WSGI
    ("monitoring",),  # /healthz, /readyz, /metrics
    ("factcheck",),  # the checking side, with factcheck.notifications and factcheck.webhooks
    ("editorial.api",),  # the newsroom side's API
    ("httpapi",),  # the API plumbing both apps use
    ("editorial",),  # the newsroom side
    ("factcheck.web",),  # fetching and reading pages: plain Python
    ("factcheck.analysis",),  # text analysis: plain Python
)
#: The packages whose modules the rules cover (migrations are generated and left out).
APPS = ("config", "monitoring", "factcheck", "editorial", "httpapi")
#: Where no module may import inside a function, and no import circle may run.
NO_CIRCLES_OR_LATE_IMPORTS = ("monitoring", "factcheck", "editorial", "httpapi")

# --- Reading the imports -----------------------------------------------------------------------------


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path) -> bool:
    relative = Path(*name.split("."))
    return (root / relative).with_suffix(".py").is_file() or (root / relative / "__init__.py").is_file()


def imports_of(path: Path, root: Path) -> list[tuple[int, str, str | None]]:
    """Every module ``path`` imports: (line, absolute dotted name, the enclosing function or None).

    ``from package import name`` counts as an import of ``package.name`` when that is a module of the
    project, and of ``package`` otherwise.  The rules read every module of the project many times
    over (the purity rules once per forbidden package), so each file is parsed once per content.
    """
    source = path.read_text(encoding="utf-8")
    return list(_imports_in(path, root, source))


@functools.cache
def _imports_in(path: Path, root: Path, source: str) -> tuple[tuple[int, str, str | None], ...]:
    package = module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    tree = ast.parse(source, filename=str(path))
    enclosing: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if inner is not node:
                    enclosing.setdefault(inner, node.name)  # the outermost function names it
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        function = enclosing.get(node)
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                found.append((node.lineno, candidate if is_module(candidate, root) else module, function))
    return tuple(found)


def sources(root: Path, packages: tuple[str, ...]) -> list[Path]:
    paths = []
    for package in packages:
        paths.extend(p for p in sorted((root / package).rglob("*.py")) if "migrations" not in p.parts)
    return paths


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# --- The rules ---------------------------------------------------------------------------------------


def layer_of(module: str) -> int | None:
    matches = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if is_within(module, prefix)
    ]
    return max(matches)[1] if matches else None


def upward_imports(root: Path) -> list[str]:
    """Imports that run from a layer to one above it."""
    problems = []
    for path in sources(root, APPS):
        importer = module_name(path, root)
        for line, module, _ in imports_of(path, root):
            own, target = layer_of(importer), layer_of(module)
            if own is not None and target is not None and target < own:
                problems.append(f"{path.relative_to(root)}:{line} imports {module}, a layer above")
    return problems


def late_imports(root: Path) -> set[tuple[str, str, str]]:
    """Imports inside functions, as (path, function, module imported)."""
    return {
        (str(path.relative_to(root)), function, module)
        for path in sources(root, NO_CIRCLES_OR_LATE_IMPORTS)
        for _, module, function in imports_of(path, root)
        if function is not None
    }


def import_circles(root: Path) -> set[tuple[str, ...]]:
    """Groups of modules that import each other, at any depth (Tarjan's strongly connected components);
    imports inside functions count, since they close a circle as surely when they run."""
    graph: dict[str, set[str]] = {}
    for path in sources(root, NO_CIRCLES_OR_LATE_IMPORTS):
        importer = module_name(path, root)
        graph.setdefault(importer, set()).update(
            module
            for _, module, _ in imports_of(path, root)
            if module != importer and any(is_within(module, app) for app in NO_CIRCLES_OR_LATE_IMPORTS)
        )
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:  # recursion depth is bounded by the number of modules (a few hundred)
        index[node] = lowest[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                lowest[node] = min(lowest[node], lowest[target])
            elif target in on_stack:
                lowest[node] = min(lowest[node], index[target])
        if lowest[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.add(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def impure_imports(root: Path, directory: str, forbidden: str, allowed: tuple[str, ...]) -> list[str]:
    problems = []
    for path in sorted((root / directory).rglob("*.py")):
        for line, module, _ in imports_of(path, root):
            if is_within(module, forbidden) and not any(is_within(module, ok) for ok in allowed):
                problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


#: What a task module may not touch: a models module, the ORM, or a transaction (services write).
ORM = ("django.db.models", "django.db.transaction", "django.db.connection")


def task_model_access(root: Path) -> list[str]:
    """Where a ``tasks`` module touches the database itself: it imports a ``models`` module, the ORM
    or transactions, or reads a manager (``.objects``)."""
    problems = []
    for path in sources(root, APPS):
        if path.name != "tasks.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Attribute) and node.attr == "objects":
                problems.append(f"{path.relative_to(root)}:{node.lineno} reads a model's manager")
            problems.extend(
                f"{path.relative_to(root)}:{node.lineno} imports {name}"
                for name in names
                if "models" in name.split(".") or any(is_within(name, orm) for orm in ORM)
            )
    return problems


# --- The rules on the project ------------------------------------------------------------------------


def test_every_app_module_is_in_a_layer():
    modules = [module_name(path, ROOT) for path in sources(ROOT, APPS)]
    assert len(modules) > 100, "too few modules found: the rules would pass vacuously"
    assert [m for m in modules if layer_of(m) is None] == []


def test_no_import_runs_back_up_the_layers():
    problems = upward_imports(ROOT)
    assert not problems, "imports against the layers of docs/architecture.md:\n" + "\n".join(problems)


def test_no_function_level_imports_in_the_apps():
    assert late_imports(ROOT) == set(), "import at the top of the module instead"


def test_no_import_circles_between_modules_of_the_apps():
    assert import_circles(ROOT) == set(), "modules that import each other"


def test_tasks_touch_no_model():
    tasks = [path for path in sources(ROOT, APPS) if path.name == "tasks.py"]
    assert len(tasks) >= 3, "the task modules were not found: the rule would pass vacuously"
    problems = task_model_access(ROOT)
    assert not problems, "a task calls a service, which writes:\n" + "\n".join(problems)


PURE = [
    "django",
    "rest_framework",
    "celery",
    "drf_spectacular",
    "editorial",
    "factcheck",
    "config",
    "httpapi",
]


@pytest.mark.parametrize("forbidden", PURE)
def test_analysis_is_plain_python(forbidden):
    assert list((ROOT / "factcheck" / "analysis").rglob("*.py")), "no source found"
    problems = impure_imports(ROOT, "factcheck/analysis", forbidden, allowed=("factcheck.analysis",))
    assert not problems, "factcheck/analysis must stay free of Django and the project:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("forbidden", PURE)
def test_the_fetcher_is_plain_python(forbidden):
    """factcheck.web fetches, extracts and ranks without Django: it may use the analysis, nothing else."""
    assert list((ROOT / "factcheck" / "web").rglob("*.py")), "no source found"
    problems = impure_imports(
        ROOT, "factcheck/web", forbidden, allowed=("factcheck.web", "factcheck.analysis")
    )
    assert not problems, "factcheck/web must stay free of Django and the project:\n" + "\n".join(problems)


# --- Each rule catches a planted violation -----------------------------------------------------------


def plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if parent != Path(".") and not (root / parent / "__init__.py").exists():
                (root / parent / "__init__.py").write_text("")
        path.write_text(text)


def test_the_import_reader_sees_absolute_relative_nested_and_from_imports(tmp_path):
    plant(
        tmp_path,
        {
            "editorial/models.py": "",
            "editorial/api/views.py": (
                "import os\n"
                "from .. import models\n"
                "from . import serializers\n"
                "def f():\n"
                "    from factcheck.services import article_submit\n"
                "    import factcheck\n"
            ),
            "editorial/api/serializers.py": "",
        },
    )
    assert imports_of(tmp_path / "editorial/api/views.py", tmp_path) == [
        (1, "os", None),
        (2, "editorial.models", None),
        (3, "editorial.api.serializers", None),
        (5, "factcheck.services", "f"),
        (6, "factcheck", "f"),
    ]


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("editorial/services.py", "factcheck.models"),  # the newsroom side on the checking side
        ("factcheck/services.py", "config.settings"),  # an app on the wiring
        ("httpapi/errors.py", "factcheck.models"),  # the plumbing on an app above it
        ("httpapi/errors.py", "editorial.api.views"),  # the plumbing on an app's API
        ("factcheck/models.py", "monitoring.metrics"),  # an app on the monitoring
        ("factcheck/analysis/blocks.py", "factcheck.models"),  # the pure analysis on Django models
    ],
)
def test_an_upward_import_is_caught(tmp_path, importer, imported):
    plant(tmp_path, {importer: f"import {imported}\n", imported.replace(".", "/") + ".py": ""})
    assert upward_imports(tmp_path) == [f"{importer}:1 imports {imported}, a layer above"]


def test_a_downward_import_is_allowed(tmp_path):
    plant(
        tmp_path,
        {
            "config/urls.py": "import factcheck.api\nimport monitoring.health\n",
            "factcheck/api.py": "from httpapi import handlers\nimport editorial.models\n",
            "httpapi/handlers.py": "from editorial.services import api_key_authenticate\n",
            "editorial/services.py": "",
            "editorial/models.py": "",
            "monitoring/health.py": "import factcheck.operations\n",
            "factcheck/operations.py": "",
        },
    )
    assert upward_imports(tmp_path) == []


def test_a_function_level_import_is_caught(tmp_path):
    plant(
        tmp_path,
        {
            "factcheck/services.py": "def submit():\n    from factcheck.tasks import analyze\n",
            "factcheck/tasks.py": "",
        },
    )
    assert late_imports(tmp_path) == {("factcheck/services.py", "submit", "factcheck.tasks")}


def test_an_import_circle_is_caught_through_any_number_of_modules(tmp_path):
    plant(
        tmp_path,
        {
            "factcheck/services.py": "from factcheck import selectors\n",
            "factcheck/selectors.py": "import editorial.models\nfrom factcheck.tasks import x\n",
            "factcheck/tasks.py": "def later():\n    import factcheck.services\n",
            "editorial/models.py": "",
        },
    )
    assert import_circles(tmp_path) == {("factcheck.selectors", "factcheck.services", "factcheck.tasks")}


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("from factcheck.models import Source\n", "imports factcheck.models.Source"),
        ("from editorial import models\n", "imports editorial.models"),
        ("from django.db import transaction\n", "imports django.db.transaction"),
        ("from django.db.models import F\n", "imports django.db.models.F"),
        ("def run(pk):\n    services.Source.objects.filter(pk=pk).delete()\n", "reads a model's manager"),
    ],
)
def test_a_task_touching_a_model_is_caught(tmp_path, line, found):
    plant(
        tmp_path,
        {"factcheck/tasks.py": line, "factcheck/services.py": "from django.db import OperationalError\n"},
    )
    (problem,) = task_model_access(tmp_path)
    assert problem.startswith("factcheck/tasks.py:") and problem.endswith(found)


def test_a_task_may_catch_the_databases_errors(tmp_path):
    plant(tmp_path, {"factcheck/tasks.py": "from django.db import InterfaceError, OperationalError\n"})
    assert task_model_access(tmp_path) == []


def test_impure_imports_are_caught(tmp_path):
    plant(
        tmp_path, {"factcheck/web/fetch.py": "from django.conf import settings\nimport factcheck.analysis\n"}
    )
    assert impure_imports(tmp_path, "factcheck/web", "django", ("factcheck.web",)) == [
        "factcheck/web/fetch.py:1 imports django.conf"
    ]
    assert (
        impure_imports(tmp_path, "factcheck/web", "factcheck", ("factcheck.web", "factcheck.analysis")) == []
    )


def test_the_diagram_in_docs_lists_the_layers_this_test_enforces():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("<!-- layers: tests/test_architecture.py reads this block -->", 1)[1]
    block = block.split("```text\n", 1)[1].split("```", 1)[0]
    drawn = [line.split()[0] for line in block.splitlines() if line and not line[0].isspace()]
    assert drawn == [prefix for prefixes in LAYERS for prefix in prefixes]
