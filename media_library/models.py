"""Photos and documents: the files articles show and offer for download."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.languages import current_language, default_language, other_languages
from media_library import downloads as download_files
from media_library import renditions as rendition_files
from media_library.locations import document_url
from media_library.storage import (
    document_storage,
    document_upload_to,
    original_upload_to,
    originals_storage,
)


class UsageRights(models.TextChoices):
    OWNED = "owned", _("Owned by the organisation")
    LICENSED = "licensed", _("Licensed for our use")
    EDITORIAL = "editorial", _("Editorial use with credit")
    CREATIVE_COMMONS = "creative-commons", _("Creative Commons")
    RESTRICTED = "restricted", _("Restricted: check before reuse")


# Which rights let us give journalists the photo to publish themselves: the one rule of
# photo licensing. Photos we own, and Creative Commons ones (every CC licence allows
# passing the photo on with its credit). An agency's editorial licence, a licence for
# our own use and restricted rights cover us only. The default of "offer for download",
# the admin's confirmation, the import's check, the database constraint, the downloads
# and the media kits all read it (through ``rights_allow_redistribution``).
REDISTRIBUTABLE = frozenset({UsageRights.OWNED, UsageRights.CREATIVE_COMMONS})
# Why a photo under the other rights is left out, as CREDITS.csv and the page say it.
NOT_REDISTRIBUTABLE_BECAUSE = {
    UsageRights.LICENSED: _("licensed for our use only"),
    UsageRights.EDITORIAL: _("licensed to us for editorial use only"),
    UsageRights.RESTRICTED: _("its rights are restricted"),
}
# ... and why a photo unticked under rights that allow it is: see ``downloadable``.
NOT_OFFERED_BECAUSE = _("shown on our own pages only")


def rights_allow_redistribution(usage_rights: str) -> bool:
    """Whether photos under these rights may be offered for download (by default)."""
    return isinstance(usage_rights, str) and usage_rights in REDISTRIBUTABLE


class Photo(models.Model):
    """An image in the library, reused by any number of articles.

    The original is kept in private storage (``STORAGES["originals"]``), itself stripped
    of location, device and authorship metadata; it is never served publicly. Public
    pages use renditions, made by a background task after the photo is saved.
    """

    image = models.ImageField(
        upload_to=original_upload_to,
        storage=originals_storage,
        width_field="width",
        height_field="height",
        max_length=255,
        help_text="JPEG, PNG, WebP or GIF. Location, camera and author data are removed "
        "when it is uploaded; the original itself is never public.",
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="For finding the photo in the library."
    )
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the photo shows, for people who cannot see it. Required unless "
        "the photo is decorative.",
    )
    is_decorative = models.BooleanField(
        "decorative",
        default=False,
        help_text="Tick only if the photo adds nothing a reader would miss; it is then "
        "hidden from screen readers.",
    )
    caption = models.TextField(blank=True, help_text="Shown under the photo.")
    credit = models.CharField(
        max_length=200, blank=True, help_text='For example "Photo by Jane Doe / Agency".'
    )
    copyright = models.CharField(
        "copyright holder",
        max_length=200,
        blank=True,
        help_text='Who owns the rights, for example "Getty Images". Written into the '
        "downloadable file with the credit.",
    )
    usage_rights = models.CharField(
        max_length=20,
        choices=UsageRights,
        default=UsageRights.OWNED,
        help_text="Who may reuse this photo and how.",
    )
    usage_notes = models.CharField(
        max_length=300,
        blank=True,
        help_text="Licence terms, expiry date, restrictions, for example "
        "“Editorial use with credit only”. Shown to journalists beside the download.",
    )
    downloadable = models.BooleanField(
        "offer for download",
        # The default rights (ours) allow it; other rights set their own default
        # (``rights_allow_redistribution``), through the admin, the import and the seeder.
        default=True,
        help_text="Journalists may download the full-size photo and find it in the media "
        "kit. On by default only where the usage rights let us pass the photo on: "
        "“Owned by the organisation” and “Creative Commons”; off for the others, and off "
        "again when the rights change to one of them. Offering a photo under other "
        "rights asks you to confirm that its licence allows it. Untick for photos we may "
        "show but not pass on, e.g. people who agreed to appear only on our own site.",
    )
    download_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="Who confirmed that we may redistribute this photo although its usage "
        "rights do not say so.",
    )
    download_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When someone confirmed that we may redistribute this photo; empty "
        "unless it is offered for download against its usage rights.",
    )
    focal_x = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Horizontal focus of the photo, 0 (left) to 1 (right); crops keep it.",
    )
    focal_y = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Vertical focus of the photo, 0 (top) to 1 (bottom); crops keep it.",
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    file_size = models.PositiveBigIntegerField(default=0, editable=False)
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Checksum of the original, so one file imported twice is one photo.",
    )
    stored_sha256 = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Checksum of the original as stored (stripped of metadata), which is "
        "what an export writes: importing that export again finds this photo.",
    )
    # spec name -> {"path", "width", "height", "format": "jpeg", "variants": [every file]}
    # (see media_library.renditions). Kept on the photo itself so that a list page needs
    # no query per card.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    withheld = models.BooleanField(
        default=True,
        editable=False,
        help_text="Nothing public uses it (new, or only on articles that are not live): "
        "its renditions are kept out of public storage until something public does "
        "(media_library.gating).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(alt_text="") | models.Q(is_decorative=True),
                name="photo_alt_text_or_decorative",
                violation_error_message="Write alt text, or mark the photo as decorative.",
            ),
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="photo_focal_point_in_image",
            ),
            # Fail safe: whatever writes the row, an offer the rights forbid needs a
            # recorded confirmation.
            models.CheckConstraint(
                condition=models.Q(downloadable=False)
                | models.Q(usage_rights__in=sorted(REDISTRIBUTABLE))
                | models.Q(download_confirmed_at__isnull=False),
                name="photo_download_allowed_by_rights",
                violation_error_message="These usage rights do not let us offer the photo "
                "for download unless someone confirms that its licence allows it.",
            ),
        ]

    def __str__(self):
        return self.title or self.caption[:60] or self.alt_text[:60] or f"Photo {self.pk}"

    def get_absolute_url(self):
        return reverse("admin:media_library_photo_change", args=[self.pk])

    # The public renditions API (see media_library.renditions): the only way other apps
    # and templates read ``renditions``.
    def rendition(self, spec: str, fmt: str = "jpeg"):
        """The largest file of a spec (url, width, height, format), or None if not made."""
        return rendition_files.rendition(self, spec, fmt)

    def rendition_set(self, spec: str, fmt: str = "jpeg"):
        """Every file of a spec in one format, narrowest first, for a ``srcset``."""
        return rendition_files.rendition_set(self, spec, fmt)

    @property
    def renditions_pending(self) -> bool:
        """True until the worker has made current renditions (new upload or crop)."""
        return rendition_files.pending(self) or download_files.pending(self)

    @property
    def not_offered_because(self) -> str:
        """Why journalists are not given this photo ("" when they are): its rights
        forbid it and nobody confirmed otherwise, or it is not offered for download."""
        if self.downloadable and self.download_confirmed_at:
            return ""
        if not rights_allow_redistribution(self.usage_rights):
            return str(NOT_REDISTRIBUTABLE_BECAUSE.get(self.usage_rights, NOT_OFFERED_BECAUSE))
        return "" if self.downloadable else str(NOT_OFFERED_BECAUSE)

    @property
    def offered_for_download(self) -> bool:
        """Whether journalists may download this photo: the one test the downloads, the
        media kits and the pages make."""
        return not self.not_offered_because

    def download(self):
        """The full-size file journalists may download (``media_library.downloads``), or
        None: not offered, or not made yet for the current file and credits. The one
        source of photo downloads for pages, views and media kits."""
        return download_files.download(self)


class Document(models.Model):
    """A downloadable file, typically a report's PDF."""

    file = models.FileField(
        upload_to=document_upload_to,
        storage=document_storage,
        max_length=255,
        help_text="A PDF. It is published under an unguessable address as a download.",
    )
    title = models.CharField(max_length=200, help_text='For example "Full report".')
    language = models.CharField(
        max_length=10,
        default="en",
        help_text="Language code of the document, for example en, es, fr, ar.",
    )
    file_size = models.PositiveBigIntegerField(default=0, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    withheld = models.BooleanField(
        default=True,
        editable=False,
        help_text="No live article offers it (new, or only on articles that are not "
        "live): its file is kept out of public storage until one does "
        "(media_library.gating).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return f"{self.title} ({self.language})"

    @property
    def url(self):
        """The download's URL: public, or gated while it is withheld."""
        return document_url(self)

    @property
    def extension(self):
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


class PhotoText(models.Model):
    """A photo's alt text and caption in one of the newsroom's other languages.

    The photo's own ``alt_text`` and ``caption`` are the default language's; a language
    without a row here (or with an empty field) reads them (``photo_text``). One photo is
    shared by every version of a translated story, so its words live beside it.
    """

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, in this language. Empty: the default language's."),
    )
    caption = models.TextField(
        _("caption"), blank=True, help_text=_("Empty: the default language's caption.")
    )

    class Meta:
        verbose_name = _("text in another language")
        verbose_name_plural = _("texts in other languages")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "language"], name="photo_text_one_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.photo_id} ({self.language})"

    def clean(self):
        if self.language not in dict(other_languages()):
            raise ValidationError({"language": _("Choose one of the newsroom's other languages.")})


def _texts_attr(language: str) -> str:
    return f"_texts_in_{language}"


def texts_prefetch(lookup: str, language: str) -> Prefetch:
    """Prefetch for the photos under ``lookup`` ("hero_photo__texts") of their text in
    ``language`` only, where ``photo_text`` looks first."""
    return Prefetch(
        lookup,
        queryset=PhotoText.objects.filter(language=language),
        to_attr=_texts_attr(language),
    )


def remember_text(photo: Photo, language: str, alt_text: str | None, caption: str | None):
    """Tell ``photo_text`` what ``photo`` says in ``language`` (read by a query of one's
    own, e.g. with the renditions): None for both when it has no text there."""
    texts = []
    if alt_text is not None or caption is not None:
        texts = [
            PhotoText(
                photo=photo, language=language, alt_text=alt_text or "", caption=caption or ""
            )
        ]
    setattr(photo, _texts_attr(language), texts)


def photo_text(photo: Photo, language: str | None = None) -> tuple[str, str]:
    """``(alt_text, caption)`` of ``photo`` in ``language`` (the active one by default),
    each falling back to the default language's when the language has none.

    No query for the default language, nor when the texts were prefetched
    (``texts_prefetch``, ``remember_text``, or ``prefetch_related("texts")``).
    """
    language = language or current_language()
    alt_text, caption = photo.alt_text, photo.caption
    if language == default_language() or photo.pk is None:
        return alt_text, caption
    texts = getattr(photo, _texts_attr(language), None)
    if texts is None:
        if "texts" in getattr(photo, "_prefetched_objects_cache", {}):
            texts = [t for t in photo.texts.all() if t.language == language]
        else:
            texts = list(PhotoText.objects.filter(photo=photo, language=language))
        setattr(photo, _texts_attr(language), texts)
    if texts:
        alt_text = texts[0].alt_text or alt_text
        caption = texts[0].caption or caption
    return alt_text, caption


def missing_languages(photo: Photo) -> list[str]:
    """The codes of the other languages in which ``photo`` has no alt text or caption of
    its own (a decorative photo needs no alt text)."""
    if photo.pk is None:
        return [code for code, _name in other_languages()]
    texts = {t.language: t for t in photo.texts.all()}  # prefetched by lists
    # Only what the default language has needs saying again: a decorative photo has
    # no alt text to translate, a photo without a caption no caption.
    needs_alt = not photo.is_decorative and bool(photo.alt_text)
    needs_caption = bool(photo.caption)
    missing = []
    for code, _name in other_languages():
        text = texts.get(code)
        if (needs_alt and not (text and text.alt_text)) or (
            needs_caption and not (text and text.caption)
        ):
            missing.append(code)
    return missing
