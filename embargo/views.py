"""The journalist's side of an embargo: the personal page and its files.

Every answer carries the headers of a private, unindexed page (``private``). Any token
that does not name an active link to an article still under embargo (unknown, revoked,
expired, or its article unpublished) gets the site's ordinary 404, the same for all.
"""

from functools import partial

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation

from articles.views import ArticleDetailView
from core.languages import language_name
from embargo.formats import embargo_time
from embargo.models import EmbargoLink, under_embargo
from embargo.services import find_link, record_opening, shared_versions
from media_library import locations
from media_library.models import Document, Photo
from media_library.views import file_name, private, serve_file
from press import downloads


def embargo_link_or_404(token: str) -> EmbargoLink:
    """The active link a token names, with its article, if the article is under embargo
    or live (then its pages redirect); Http404 otherwise. What every embargo route
    (page, files, media kit, photo downloads) starts with."""
    link = find_link(token)
    if link is None:
        raise Http404("No such link.")
    article = link.article
    if not (under_embargo(article) or article.is_live):
        raise Http404("No such link.")
    return link


def embargo_file_url(token: str, kind: str, obj, filename: str) -> str:
    return reverse(
        "embargo:file", kwargs={"token": token, "kind": kind, "pk": obj.pk, "filename": filename}
    )


class EmbargoArticleView(ArticleDetailView):
    """The article exactly as the public will see it, with the embargo banner on top,
    a watermark over its images and its withheld files linked through this token."""

    template_name = "embargo/article_detail.html"

    def get(self, request, *args, token, **kwargs):
        link = embargo_link_or_404(token)
        record_opening(link=link, request=request)
        if link.article.is_live:
            return private(redirect(link.article))
        self.link, self.object = link, link.article
        # The page is in its version's language (its text, dates, direction), whatever
        # the unprefixed /embargo/ address would otherwise make it.
        with (
            translation.override(self.object.language),
            # The page, its JSON-LD and Open Graph image link withheld files through this
            # token.
            locations.urls_for_withheld(partial(embargo_file_url, token)),
        ):
            context = self.get_context_data(
                object=self.object,
                embargo_link=link,
                # Downloads (photos at full size, the media kit) go through this link too.
                embargo_token=token,
                embargoed_until=embargo_time(self.object.published_at),
                embargo_versions=versions_of(link),
            )
            response = self.render_to_response(context)
            response.render()
        response["Content-Language"] = self.object.language
        return private(response)

    def fragment_parts(self, is_preview):
        # The fragments hold this link's own file URLs: never another reader's.
        return (*super().fragment_parts(is_preview), "embargo", self.link.pk)


def versions_of(link) -> list[dict]:
    """The switch between the versions this recipient was given (empty when only one):
    each through its own personal link, so each shows its own banner and lifts to the
    public page at its own publication time."""
    links = shared_versions(link)
    if len(links) < 2:
        return []
    return [
        {
            "code": one.article.language,
            "name": language_name(one.article.language),
            "url": one.get_absolute_url(),
            "current": one.pk == link.pk,
        }
        for one in links
    ]


def embargo_file(request, token, kind, pk, filename):
    """A photo rendition or a document of the link's article, for its recipient only."""
    link = embargo_link_or_404(token)
    article = link.article
    if kind == locations.PHOTO and pk == article.hero_photo_id:
        obj = get_object_or_404(Photo, pk=pk)
    elif kind == locations.DOCUMENT:
        obj = get_object_or_404(Document.objects.filter(articles=article), pk=pk)
    else:
        raise Http404("No such file.")
    name = file_name(kind, obj, filename)
    storage = locations.storage_for(obj)
    return private(serve_file(storage, name, attachment=kind == locations.DOCUMENT))


def _downloadable(link):
    """The link's article with what its downloads read, prefetched."""
    return (
        type(link.article)
        .objects.select_related("hero_photo")
        .prefetch_related("attachments", "spokespeople")
        .get(pk=link.article_id)
    )


def embargo_media_kit(request, token):
    """The media kit of the link's article, for its recipient only, before the lift;
    the public one after."""
    link = embargo_link_or_404(token)
    if link.article.is_live:
        return private(redirect("downloads:media_kit", slug=link.article.slug))
    return private(downloads.media_kit_response(request, _downloadable(link)))


def embargo_photo_download(request, token, photo_id):
    """One of the link's article's photos at full size, for its recipient only."""
    link = embargo_link_or_404(token)
    if link.article.is_live:
        return private(
            redirect("downloads:photo_download", slug=link.article.slug, photo_id=photo_id)
        )
    return private(downloads.photo_download_response(_downloadable(link), photo_id))
