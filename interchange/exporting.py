"""Export articles to the interchange format ("newsroom-articles/1", see docs/interchange.md).

``articles_export`` writes the JSON document and copies every photo and attachment it
names into ``images/`` and ``docs/`` beside it, with paths relative to the JSON file, so
that the folder can be imported elsewhere as it is and yields the same content.
"""

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.db.models import F, Prefetch
from django.utils import timezone
from tqdm import tqdm

from articles.content import CONTENT_FIELDS
from articles.models import Article
from core.languages import default_language
from interchange.importing import FORMAT
from media_library.models import UsageRights, rights_allow_redistribution

CHUNK_SIZE = 1000


@dataclass
class ExportResult:
    """What an export wrote."""

    articles: int = 0
    photos: int = 0
    documents: int = 0


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


class _Exporter:
    def __init__(self, *, path, progress):
        self.path = Path(path)
        self.folder = self.path.resolve().parent
        self.progress = progress
        self.copied = {}  # storage name -> relative path in the export
        self.result = ExportResult()

    def copy(self, field_file, subfolder, pk):
        """Copy a stored file next to the JSON once, however many articles use it."""
        if field_file.name not in self.copied:
            relative = f"{subfolder}/{pk}-{PurePosixPath(field_file.name).name}"
            target = self.folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with field_file.storage.open(field_file.name, "rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            self.copied[field_file.name] = relative
            if subfolder == "images":
                self.result.photos += 1
            else:
                self.result.documents += 1
        return self.copied[field_file.name]

    def record(self, article):
        """The article's record: every field of ``articles.content.CONTENT_FIELDS`` the
        format carries, under its key, left out when empty (lists are always written)."""
        record = {}
        for field in CONTENT_FIELDS:
            if field.key is None:
                continue  # not carried by the format (articles.content says why)
            value = self.value(article, field)
            if value not in (None, ""):
                record[field.key] = value
        notes = [
            {"kind": note.kind, "text": note.text, "published_at": _iso(note.published_at)}
            for note in article.notes.all()
        ]
        if notes:
            record["notes"] = notes
        # Every record says its language; a translation names its source, whose record
        # may come before or after it (the import takes either).
        record["language"] = article.language
        if article.translation_of_id:
            record["translation_of"] = article.source_slug
        return record

    def value(self, article, field):
        match field.name:
            case "status":
                # Only live or scheduled articles are "published" in the format; a
                # withdrawn one is not public, which the format calls a draft.
                if article.status == Article.Status.PUBLISHED:
                    return Article.Status.PUBLISHED
                return Article.Status.DRAFT
            case "hero_photo":
                return self.photo(article) if article.hero_photo_id else None
            case "hero_caption" if not article.hero_photo_id:
                return None  # the format takes a caption override only with a photo
            case "regions":
                return sorted(region.slug for region in article.regions.all())
            case "topics":
                return sorted(tag.name for tag in article.topics.all())
            case "related":
                return sorted(other.slug for other in article.related.all())
            case "attachments":
                return [
                    {
                        "file": self.copy(document.file, "docs", document.pk),
                        "title": document.title,
                        "language": document.language,
                    }
                    for document in article.attachments.all()
                ]
        if field.kind == "time":
            return _iso(getattr(article, field.name))
        if field.kind in ("list", "ref"):
            raise ValueError(f"The export does not know how to write {field.name!r}.")
        return getattr(article, field.name)

    def photo(self, article):
        """The article's photo, with its alt text and caption in the article's language:
        the photo's own for the default language; for another, its text there, or for a
        translation without one nothing (the import lets the source's stand in)."""
        photo = article.hero_photo
        alt_text, caption = photo.alt_text, photo.caption
        if article.language != default_language():
            own = next((t for t in photo.texts.all() if t.language == article.language), None)
            if article.translation_of_id:
                alt_text, caption = (own.alt_text, own.caption) if own else ("", "")
            elif own is not None:
                # A source's record needs an alt text: its language's, else the default's.
                alt_text, caption = own.alt_text or alt_text, own.caption or caption
        record = {
            "file": self.copy(photo.image, "images", photo.pk),
            "alt_text": alt_text,
            "caption": caption,
            "credit": photo.credit,
        }
        optional = {
            "title": (photo.title, ""),
            "is_decorative": (photo.is_decorative, False),
            "copyright": (photo.copyright, ""),
            "usage_rights": (photo.usage_rights, UsageRights.OWNED),
            "usage_notes": (photo.usage_notes, ""),
            # Left out, it follows the rights. An offer confirmed here against the
            # rights is left out too: the format has no confirmation, and another
            # newsroom should not offer the photo until someone there confirms it.
            "downloadable": (
                photo.downloadable and rights_allow_redistribution(photo.usage_rights),
                rights_allow_redistribution(photo.usage_rights),
            ),
        }
        for key, (value, default) in optional.items():
            if value != default:
                record[key] = value
        return record

    def run(self, queryset):
        queryset = (
            queryset.order_by("pk")
            .annotate(source_slug=F("translation_of__slug"))
            .select_related("hero_photo")
            .prefetch_related(
                "hero_photo__texts",
                "regions",
                "topics",
                Prefetch("related", queryset=Article.objects.only("pk", "slug")),
                Prefetch("attachments"),
                "notes",
            )
        )
        total = queryset.count()
        partial = self.path.with_name(self.path.name + ".partial")
        bar = tqdm(
            total=total,
            desc="Exporting",
            unit="article",
            disable=not self.progress,
            file=sys.stderr,
        )
        with partial.open("w", encoding="utf-8") as out:
            out.write('{"format": ' + json.dumps(FORMAT) + ',\n "articles": [')
            for article in queryset.iterator(chunk_size=CHUNK_SIZE):
                out.write(",\n  " if self.result.articles else "\n  ")
                out.write(json.dumps(self.record(article), ensure_ascii=False))
                self.result.articles += 1
                bar.update()
            out.write("\n ]}\n")
        bar.close()
        # Written beside the target and renamed, so a failed export leaves no half file.
        partial.replace(self.path)
        return self.result


def articles_export(*, path, queryset=None, progress: bool = False) -> ExportResult:
    """Write ``queryset`` (default: every article, drafts included) to ``path``.

    Photos go to ``images/`` and attachments to ``docs/`` next to the JSON file.
    """
    if queryset is None:
        queryset = Article.objects.all()
    return _Exporter(path=path, progress=progress).run(queryset)
