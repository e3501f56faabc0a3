from celery import current_app
from django.apps import AppConfig


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "Fact-checking"

    def ready(self) -> None:
        # Register every app's tasks in every process that loads Django, not only in workers that
        # autodiscover them: services queue work by task name (factcheck.queue), and beat's schedule
        # and its checks name them too.
        current_app.autodiscover_tasks(force=True)
