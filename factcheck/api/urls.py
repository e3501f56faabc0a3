from django.urls import path

from factcheck.api import claimreview_views, exports, revisions, sources, views

urlpatterns = [
    path("articles", views.ArticlesView.as_view(), name="article-list"),
    path("articles/<int:article_id>", views.ArticleDetailView.as_view(), name="article-detail"),
    path(
        "articles/<int:article_id>/revisions", views.ArticleRevisionsView.as_view(), name="article-revisions"
    ),
    path(
        "articles/<int:article_id>/history",
        revisions.ArticleBodyRevisionsView.as_view(),
        name="article-history",
    ),
    path(
        "articles/<int:article_id>/history/<int:number>",
        revisions.ArticleBodyRevisionView.as_view(),
        name="article-history-detail",
    ),
    path("articles/<int:article_id>/diff", revisions.ArticleDiffView.as_view(), name="article-diff"),
    path("claims", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/export", exports.ClaimExportView.as_view(), name="claim-export"),
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
    path("sources/<int:source_id>/offline", sources.SourceOfflineView.as_view(), name="source-offline"),
    path("analyze", views.AnalyzeView.as_view(), name="analyze"),
]
