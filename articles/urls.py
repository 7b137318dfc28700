from django.urls import path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    # Before the article route: "feed" is also a reserved slug (articles.models).
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.ArticleAtomFeed(), name="feed_atom"),
    path("<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("<slug:slug>/media-kit.zip", views.media_kit, name="media_kit"),
    path("<slug:slug>/photos/<int:photo_id>.jpg", views.photo_download, name="photo_download"),
]
