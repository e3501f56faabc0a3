from django.urls import path

from factcheck.api import sources, views

urlpatterns = [
    path("articles/", views.ArticlesView.as_view(), name="article-list"),
    path("articles/<int:article_id>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:claim_id>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:claim_id>/transitions/", views.ClaimTransitionView.as_view(), name="claim-transitions"),
    path("claims/<int:claim_id>/history/", views.ClaimHistoryView.as_view(), name="claim-history"),
    path("claims/<int:claim_id>/sources/", sources.ClaimSourcesView.as_view(), name="claim-sources"),
    path("analyze", views.AnalyzeView.as_view(), name="analyze"),
]
