from django.urls import path

from factcheck.api import claimreview_views, sources, views

urlpatterns = [
    path("articles", views.ArticlesView.as_view(), name="article-list"),
    path("articles/<int:article_id>", views.ArticleDetailView.as_view(), name="article-detail"),
    path(
        "articles/<int:article_id>/revisions", views.ArticleRevisionsView.as_view(), name="article-revisions"
    ),
    path("claims", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:claim_id>", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:claim_id>/transitions", views.ClaimTransitionView.as_view(), name="claim-transitions"),
    path("claims/<int:claim_id>/history", views.ClaimHistoryView.as_view(), name="claim-history"),
    path("claims/<int:claim_id>/notes", views.ClaimNotesView.as_view(), name="claim-notes"),
    path("claims/<int:claim_id>/sources", sources.ClaimSourcesView.as_view(), name="claim-sources"),
    path(
        "claims/<int:claim_id>/claimreview", claimreview_views.ClaimReviewView.as_view(), name="claim-review"
    ),
    path("sources/<int:source_id>", sources.SourceDetailView.as_view(), name="source-detail"),
    path("sources/<int:source_id>/refetch", sources.SourceRefetchView.as_view(), name="source-refetch"),
    path("analyze", views.AnalyzeView.as_view(), name="analyze"),
]
