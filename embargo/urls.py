from django.urls import path

from embargo import views

app_name = "embargo"

urlpatterns = [
    path("<str:token>/", views.EmbargoArticleView.as_view(), name="article"),
    path("<str:token>/media-kit.zip", views.embargo_media_kit, name="media_kit"),
    path(
        "<str:token>/photos/<int:photo_id>.jpg",
        views.embargo_photo_download,
        name="photo_download",
    ),
    path(
        "<str:token>/file/<str:kind>/<int:pk>/<str:filename>",
        views.embargo_file,
        name="file",
    ),
]
