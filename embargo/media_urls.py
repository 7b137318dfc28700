"""``/files/``: withheld media outside the embargo page (see ``media_library.gating``)."""

from django.urls import path

from embargo import views
from media_library.gating import DOCUMENT, PHOTO

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
