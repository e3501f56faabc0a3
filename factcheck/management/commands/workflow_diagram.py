"""``workflow_diagram``: the review workflow's state diagram (Mermaid), generated from its table.

The README's "The review workflow" section holds exactly this output; a test keeps the two in step.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from factcheck import workflow


def fenced() -> str:
    """The diagram in a Markdown ```mermaid block, as the README has it."""
    return f"```mermaid\n{workflow.mermaid()}\n```"


class Command(BaseCommand):
    help = "Print the review workflow's state diagram as a Mermaid block, for the README."
    requires_system_checks = []

    def handle(self, *args, **options):
        self.stdout.write(fenced())
