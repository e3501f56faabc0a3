from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "factcheck.notifications"
    label = "notifications"
    verbose_name = "Notifications"
