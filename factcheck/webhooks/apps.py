from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "factcheck.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Register the tasks in every process that loads the app, not only in workers that autodiscover
        # them: beat's schedule names ``webhooks.sweep_deliveries``, and checks of it look them up.
        from factcheck.webhooks import tasks  # noqa: F401
