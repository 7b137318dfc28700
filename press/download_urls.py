"""Journalists' downloads of a live article, under the article's address (/news/<slug>/)."""

from django.urls import path

from press import views

app_name = "downloads"

urlpatterns = [
    path("<slug:slug>/media-kit.zip", views.media_kit, name="media_kit"),
    path("<slug:slug>/photos/<int:photo_id>.jpg", views.photo_download, name="photo_download"),
]
