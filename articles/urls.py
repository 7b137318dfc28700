from django.urls import path

from articles import correction_views, feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    # Before the article route: "feed" is also a reserved slug (articles.models).
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.ArticleAtomFeed(), name="feed_atom"),
    # What a person who follows an "RSS feed" link reads: how to follow this list.
    path("feed/about/", views.FeedHelpView.as_view(), name="feed_help"),
    # Also before the article route: "corrections" is a reserved slug too.
    path("corrections/", correction_views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", correction_views.CorrectionFeed(), name="corrections_feed"),
    path(
        "corrections/feed/about/",
        correction_views.CorrectionFeedHelpView.as_view(),
        name="corrections_feed_help",
    ),
    path("<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
]
