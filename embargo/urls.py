from django.urls import path

from embargo import views

app_name = "embargo"

urlpatterns = [
    path("<str:token>/", views.EmbargoArticleView.as_view(), name="article"),
    path(
        "<str:token>/file/<str:kind>/<int:pk>/<str:filename>",
        views.embargo_file,
        name="file",
    ),
]
