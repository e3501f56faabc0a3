"""factcheck.web is plain Python: the Django side calls it, never the other way round."""

from __future__ import annotations

import pytest

from tests.test_architecture import ROOT, violations


@pytest.mark.parametrize(
    "forbidden", ["django", "rest_framework", "celery", "editorial", "factcheck", "config", "drf_spectacular"]
)
def test_web_imports_neither_django_nor_the_project(forbidden):
    assert list((ROOT / "factcheck" / "web").rglob("*.py")), "no source found"
    problems = violations(
        "factcheck/web", forbidden=(forbidden,), allowed=("factcheck.web", "factcheck.analysis")
    )
    assert not problems, "factcheck/web may import only itself and factcheck.analysis:\n" + "\n".join(
        problems
    )
