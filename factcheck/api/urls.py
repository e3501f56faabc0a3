from django.urls import path

from factcheck.api import views

urlpatterns = [
    path("articles/", views.ArticlesView.as_view(), name="article-list"),
    path("articles/<int:article_id>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("analyze", views.AnalyzeView.as_view(), name="analyze"),
]
