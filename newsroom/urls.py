from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from articles import sitemaps
from newsroom import views

handler500 = "newsroom.views.server_error"

# The public pages, in every language: the default's at their own addresses (/news/),
# the others under their code (/es/news/); core.languages.LanguageMiddleware picks it.
urlpatterns = i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("news/", include("articles.urls")),
    path("news/", include("press.download_urls")),
    path("press/alerts/", include("alerts.urls")),
    path("press/", include("press.urls")),
    prefix_default_language=False,
)

urlpatterns += [
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
