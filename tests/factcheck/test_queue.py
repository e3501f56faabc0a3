"""factcheck/queue.py and the one rule for queueing work: services name tasks, never import them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from celery import current_app
from celery.exceptions import NotRegistered

from factcheck.queue import publish_on_commit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = [
    *(ROOT / "factcheck" / "services").glob("*.py"),
    *(ROOT / "factcheck" / "notifications" / "services").glob("*.py"),
    *(ROOT / "factcheck" / "webhooks" / "services").glob("*.py"),
    ROOT / "factcheck" / "domain_events.py",
]


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any level of the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_service_imports_a_task_module():
    assert len(SERVICES) > 10, "the services were not found: the test would pass vacuously"
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in imported(path) if name.split(".")[-1] == "tasks")
        for path in SERVICES
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_a_task_name_nobody_registered_fails_at_once_not_after_the_commit(db):
    with pytest.raises(NotRegistered):
        publish_on_commit("factcheck.no_such_task", [1])


def test_every_task_a_service_names_is_registered():
    named = set()
    for path in SERVICES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "publish_on_commit":
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}: name the task with a string"
                named.add(first.value)
    assert named, "no publish_on_commit call found: the test would pass vacuously"
    assert named <= set(current_app.tasks), named - set(current_app.tasks)
