"""``/files/``: media by id, for whoever may see them now (see ``media_library.views``)."""

from django.urls import path

from media_library import views
from media_library.locations import DOCUMENT, PHOTO

app_name = "withheld_media"

urlpatterns = [
    path(
        "photo/<int:pk>/<str:filename>",
        views.withheld_file,
        {"kind": PHOTO},
        name=PHOTO,
    ),
    path(
        "document/<int:pk>/<str:filename>",
        views.withheld_file,
        {"kind": DOCUMENT},
        name=DOCUMENT,
    ),
]
