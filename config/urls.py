from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from editorial.api import urls as editorial_api
from factcheck.api import urls as factcheck_api
from factcheck.webhooks.api import urls as webhooks_api
from httpapi.idempotency import idempotent_routes
from monitoring import health, metrics

admin.site.site_header = "Factdesk"
admin.site.site_title = "Factdesk"
admin.site.index_title = "Fact-checking desk"

# The REST API: every route is wrapped for Idempotency-Key (httpapi/idempotency.py).
api_routes = [
    *factcheck_api.urlpatterns,
    *editorial_api.urlpatterns,
    *webhooks_api.urlpatterns,
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(idempotent_routes(api_routes))),
    path("notifications/", include("factcheck.notifications.urls")),
    path(
        "api/v1/schema",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
    path(
        "api/v1/docs",
        SpectacularSwaggerView.as_view(url_name="schema", authentication_classes=[], permission_classes=[]),
        name="api-docs",
    ),
]

# Errors no view answers (an unknown path, a crash): the API's error body under /api/.
handler404 = "httpapi.handlers.not_found"
handler500 = "httpapi.handlers.server_error"
