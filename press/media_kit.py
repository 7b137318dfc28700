"""An article's media kit: one ZIP with everything a journalist needs to run the story.

Inside: every photo offered for download at full size (``<slug>-01-<photographer>.jpg``,
the clean download of ``media_library.downloads``: no EXIF or GPS, credits in its XMP), a
``CREDITS.csv`` (file, caption, credit, copyright, usage terms), the attachments (a
report's PDF) and the release as plain text (title, date, summary, body, contacts). A
photo the usage rights keep out, or not offered for download, is left out and has a line
in ``CREDITS.csv`` saying why (``Photo.not_offered_because``) in place of its file name.

Built by the ``build_media_kit`` task, never inside a request: when a published article,
its photo, its attachments or its spokespeople change (``connect_signals``, wired from
``ArticlesConfig.ready``; the article's own changes through ``articles.changes``) and
when someone asks for a kit that is not built yet. A burst of edits queues one build
(``request_build``). The file is stored privately under
``media-kits/<article id>/<version>.zip``, where the version hashes everything the kit
holds (``kit_contents``): a kit that no longer matches its article is never served, and
``press.downloads`` serves it only for an article the visitor may see.
"""

import hashlib
import io
import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from articles.sanitize import html_to_text
from core.cache import content_changed
from core.csvfiles import csv_writer
from core.links import absolute_url
from core.models import SiteSettings
from media_library import downloads as photo_downloads
from media_library.models import Document, Photo
from media_library.storage import download_name, originals_storage
from press.models import MediaKit

logger = logging.getLogger(__name__)

# Bump when the layout of the kit changes, to rebuild every kit. 2: CREDITS.csv cells
# that a spreadsheet would run as formulas are escaped (kits built before held them raw).
# 3: photos left out have a line in CREDITS.csv saying why.
KIT_FORMAT = 3
KITS_DIR = "media-kits/"
CREDITS_FIELDS = ["file", "caption", "credit", "copyright", "usage terms"]
# Articles per query when an import changed many.
CHUNK = 500


@dataclass(frozen=True)
class KitPhoto:
    name: str
    photo: Photo
    file: photo_downloads.DownloadFile
    caption: str


@dataclass(frozen=True)
class LeftOut:
    """A photo of the article that the kit leaves out, and why."""

    photo: Photo
    caption: str
    reason: str

    @property
    def note(self) -> str:
        return f"not included: {self.reason}; ask the press office"


@dataclass
class KitContents:
    """What an article's kit holds, and the version naming exactly that."""

    article: Article
    photos: list[KitPhoto] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    documents: list[tuple[str, Document]] = field(default_factory=list)
    # Downloadable photos whose download the worker has not made yet.
    waiting_for: list[int] = field(default_factory=list)
    version: str = ""


def photographer_slug(credit: str) -> str:
    """ "Photo by Jane Doe / Agency" -> "jane-doe"; "photo" when there is no credit."""
    name = credit.split("/")[0].strip()
    for prefix in ("photo by", "photograph by", "photo:", "photo", "©", "(c)"):
        if name.lower().startswith(prefix):
            name = name[len(prefix) :].strip()
    return slugify(name)[:40].strip("-") or "photo"


def article_photos(article) -> list[tuple[Photo, str]]:
    """The photos an article shows, in page order, with the caption it gives each."""
    if article.hero_photo_id is None:
        return []
    return [(article.hero_photo, article.caption)]


def kit_contents(article) -> KitContents:
    """The kit an article should have now (from its prefetched relations)."""
    contents = KitContents(article=article)
    for number, (photo, caption) in enumerate(article_photos(article), start=1):
        if reason := photo.not_offered_because:
            contents.left_out.append(LeftOut(photo=photo, caption=caption, reason=reason))
            continue
        download = photo.download()
        if download is None:
            contents.waiting_for.append(photo.pk)
            continue
        name = f"{article.slug}-{number:02d}-{photographer_slug(photo.credit)}.jpg"
        contents.photos.append(KitPhoto(name=name, photo=photo, file=download, caption=caption))
    taken = set()
    for document in article.attachments.all():
        name = download_name(document.file.name)
        stem, _, ext = name.rpartition(".")
        while name in taken:
            name = f"{stem}-{document.pk}.{ext}"
            stem = f"{stem}-{document.pk}"
        taken.add(name)
        contents.documents.append((name, document))
    site = SiteSettings.load()

    def terms(item):
        return photo_downloads.usage_terms(item.photo)

    manifest = {
        "format": KIT_FORMAT,
        "release": release_text(article, site=site),
        "photos": [
            [p.name, p.file.path, p.caption, p.photo.credit, p.photo.copyright, terms(p)]
            for p in contents.photos
        ],
        "left_out": [
            [p.note, p.caption, p.photo.credit, p.photo.copyright, terms(p)]
            for p in contents.left_out
        ],
        "documents": [[name, d.sha256, d.file.name] for name, d in contents.documents],
    }
    contents.version = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[
        :32
    ]
    return contents


# --- the release as text ---------------------------------------------------------------


def release_text(article, *, site) -> str:
    return render_to_string(
        "articles/media_kit/release.txt",
        {
            "article": article,
            "body": html_to_text(article.body, paragraphs=True, links=True),
            "url": absolute_url(article.get_absolute_url()),
            "spokespeople": [p for p in article.spokespeople.all() if p.is_active],
            "site_settings": site,
        },
    )


# --- building --------------------------------------------------------------------------


def credits_csv(contents: KitContents) -> bytes:
    buffer = io.StringIO()
    # Captions, credits and terms are typed by people: never formulas in a spreadsheet.
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(CREDITS_FIELDS)
    for item in contents.photos:
        photo = item.photo
        writer.writerow(
            [
                item.name,
                item.caption,
                photo.credit,
                photo.copyright,
                photo_downloads.usage_terms(photo),
            ]
        )
    for item in contents.left_out:
        photo = item.photo
        writer.writerow(
            [
                item.note,
                item.caption,
                photo.credit,
                photo.copyright,
                photo_downloads.usage_terms(photo),
            ]
        )
    # With a byte-order mark, spreadsheet programs read the accents right.
    return buffer.getvalue().encode("utf-8-sig")


def write_zip(contents: KitContents, target) -> None:
    """Write the kit into a binary file object."""
    article = contents.article
    stamp = timezone.localtime(article.published_at).timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))  # the earliest time ZIP can record

    def info(name, compress):
        entry = zipfile.ZipInfo(name, date_time=stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        entry.external_attr = 0o644 << 16
        return entry

    site = SiteSettings.load()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(
            info(f"{article.slug}.txt", True), release_text(article, site=site).encode()
        )
        archive.writestr(info("CREDITS.csv", True), credits_csv(contents))
        # Photos and PDFs are compressed already: stored as they are, copied in chunks.
        for item in contents.photos:
            with item.file.open() as source, archive.open(info(item.name, False), "w") as out:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    out.write(chunk)
        for name, document in contents.documents:
            with document.file.open("rb") as source, archive.open(info(name, False), "w") as out:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    out.write(chunk)


def kit_article(article_id: int):
    """A published article (live or scheduled) with what its kit needs, or None."""
    return (
        Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED)
        .select_related("hero_photo")
        .prefetch_related("attachments", "spokespeople")
        .first()
    )


def build(article_id: int) -> bool:
    """Build and store the article's kit unless the stored one is current; True if built.

    What the task runs. A photo whose download is not made yet is waited for: the
    renditions task asks again when it is (``download_changed``).
    """
    MediaKit.objects.filter(article_id=article_id).update(queued_at=None)
    article = kit_article(article_id)
    if article is None:
        discard(article_id)
        return False
    contents = kit_contents(article)
    if contents.waiting_for:
        logger.info("Media kit of %s waits for photos %s", article_id, contents.waiting_for)
        return False
    kit, _created = MediaKit.objects.get_or_create(article_id=article_id)
    storage = originals_storage()
    if kit.version == contents.version and kit.path and storage.exists(kit.path):
        return False

    name = f"{KITS_DIR}{article_id}/{contents.version}.zip"
    with tempfile.TemporaryFile() as spool:
        write_zip(contents, spool)
        size = spool.tell()
        spool.seek(0)
        if storage.exists(name):
            # Left by an interrupted run: replace it, keep the name.
            storage.delete(name)
        saved = storage.save(name, File(spool, name=name))
    previous = kit.path
    MediaKit.objects.filter(pk=kit.pk).update(
        version=contents.version, path=saved, size=size, built_at=timezone.now()
    )
    # The article page shows the kit's size.
    content_changed()
    if previous and previous != saved:
        transaction.on_commit(lambda: delete_quietly(previous))
    return True


def discard(article_id: int) -> None:
    """Forget the kit of an article that is deleted or back to draft."""
    kit = MediaKit.objects.filter(article_id=article_id).first()
    if kit is not None:
        kit.delete()  # and its file, after commit (_kit_deleted)


def delete_quietly(path):
    try:
        originals_storage().delete(path)
    except OSError:
        # An orphaned file is harmless (nothing links it); a failed request is not.
        logger.warning("Could not delete the old media kit %s", path, exc_info=True)
