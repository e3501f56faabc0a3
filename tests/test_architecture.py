"""The dependency rules of the house, checked on the source: editorial never imports factcheck, and
factcheck.analysis is plain Python (no Django, DRF, Celery, nor the rest of the project)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, as absolute dotted names, with the line of the import."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT).parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names = [f"{module}.{alias.name}" for alias in node.names] if not node.module else []
            found.extend((node.lineno, name) for name in names or [module])
    return found


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(directory: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    problems = []
    for path in sorted((ROOT / directory).rglob("*.py")):
        for line, module in imported_modules(path):
            if any(is_within(module, package) for package in allowed):
                continue
            if any(is_within(module, package) for package in forbidden):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


def test_the_import_resolver_sees_absolute_relative_and_nested_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    package = tmp_path / "editorial" / "api"
    package.mkdir(parents=True)
    source = package / "views.py"
    source.write_text(
        "import os\n"
        "from .. import models\n"
        "def f():\n"
        "    from factcheck.services import article_submit\n"
        "    import factcheck\n"
    )
    assert imported_modules(source) == [
        (1, "os"),
        (2, "editorial.models"),
        (4, "factcheck.services"),
        (5, "factcheck"),
    ]
    assert violations("editorial", ("factcheck",)) == [
        "editorial/api/views.py:4 imports factcheck.services",
        "editorial/api/views.py:5 imports factcheck",
    ]


def test_editorial_does_not_import_factcheck():
    assert list((ROOT / "editorial").rglob("*.py")), "no source found: the test would pass vacuously"
    problems = violations("editorial", forbidden=("factcheck",))
    assert not problems, "editorial must not depend on factcheck:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "forbidden", ["django", "rest_framework", "celery", "editorial", "factcheck", "config", "drf_spectacular"]
)
def test_analysis_is_plain_python(forbidden):
    assert list((ROOT / "factcheck" / "analysis").rglob("*.py")), "no source found"
    problems = violations("factcheck/analysis", forbidden=(forbidden,), allowed=("factcheck.analysis",))
    assert not problems, "factcheck/analysis must stay free of Django and the project:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    "forbidden", ["django", "rest_framework", "celery", "editorial", "factcheck", "config", "drf_spectacular"]
)
def test_the_fetcher_is_plain_python(forbidden):
    """factcheck.web fetches, extracts and ranks without Django: it may use the analysis, nothing else."""
    assert list((ROOT / "factcheck" / "web").rglob("*.py")), "no source found"
    problems = violations(
        "factcheck/web", forbidden=(forbidden,), allowed=("factcheck.web", "factcheck.analysis")
    )
    assert not problems, "factcheck/web must stay free of Django and the project:\n" + "\n".join(problems)
