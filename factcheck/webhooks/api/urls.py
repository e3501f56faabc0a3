from django.urls import path

from factcheck.webhooks.api import views

urlpatterns = [
    path("webhooks", views.WebhooksView.as_view(), name="webhook-list"),
    path("webhooks/<int:webhook_id>", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:webhook_id>/enable", views.WebhookEnableView.as_view(), name="webhook-enable"),
    path("webhooks/<int:webhook_id>/ping", views.WebhookPingView.as_view(), name="webhook-ping"),
    path(
        "webhooks/<int:webhook_id>/deliveries",
        views.WebhookDeliveriesView.as_view(),
        name="webhook-deliveries",
    ),
]
