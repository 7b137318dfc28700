from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles import sitemaps
from newsroom import views

handler500 = "newsroom.views.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/", include("articles.urls")),
    path("news/", include("press.download_urls")),
    path("press/alerts/", include("alerts.urls")),
    path("press/", include("press.urls")),
    path("embargo/", include("embargo.urls")),
    path("files/", include("media_library.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", sitemaps.sitemap_xml, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
