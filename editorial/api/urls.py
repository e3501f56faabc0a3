from django.urls import path

from editorial.api import views

urlpatterns = [
    path("desks", views.DeskListView.as_view(), name="desk-list"),
    path("desks/<int:desk_id>", views.DeskDetailView.as_view(), name="desk-detail"),
    path("people", views.PersonListView.as_view(), name="person-list"),
    path("people/<int:person_id>", views.PersonDetailView.as_view(), name="person-detail"),
    path("keys", views.ApiKeysView.as_view(), name="api-key-list"),
    path("keys/<int:key_id>/revoke", views.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
]
