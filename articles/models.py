"""Press releases, reports and statements, with the regions and topics they cover."""

import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.querysets import ArticleQuerySet, RegionQuerySet
from articles.sanitize import sanitize_html
from articles.states import ReviewState, State, state_of
from core.fields import BoundedDateTimeField
from core.languages import default_language, language_codes, language_name
from media_library.models import photo_text


class Region(models.Model):
    """A regional grouping (``americas``) or a country under it (``mx``).

    Groupings have no parent and a fixed slug; countries are keyed by their ISO 3166-1
    alpha-2 code, which is also their slug (lower case) so that ``?region=mx`` works.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    iso_code = models.CharField(
        "ISO code",
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code, for countries only.",
    )
    report_code = models.CharField(
        max_length=3,
        blank=True,
        help_text="Three-letter code used in report reference numbers (e.g. AMR), for "
        "regional groupings only.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The regional grouping a country belongs to. Empty for a grouping.",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"],
                condition=~models.Q(iso_code=""),
                name="region_unique_iso_code",
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(iso_code=""),
                name="region_country_has_iso_code",
                violation_error_message="A country needs its ISO code.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('articles:list')}?region={self.slug}"

    @property
    def is_grouping(self):
        return self.parent_id is None


class TaggedArticle(TaggedItemBase):
    """Through model for topics: a real foreign key to the article, not a generic one."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "topic"
        verbose_name_plural = "topics"


class TopicName(models.Model):
    """A topic's name in one of the newsroom's other languages; the topic's own name
    (taggit's ``Tag.name``, which its slug and URL keep) is the default language's.
    Read through ``articles.topic_names.topic_name``."""

    topic = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="names")
    language = models.CharField(_("language"), max_length=10)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("name in another language")
        verbose_name_plural = _("names in other languages")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "language"], name="topic_name_one_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def clean(self):
        if self.language not in language_codes() or self.language == default_language():
            raise ValidationError({"language": _("Choose one of the newsroom's other languages.")})


class SanitizedHTMLField(ProseEditorField):
    """Rich text cleaned by our allow-list on every save, whatever route writes it."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


# What the admin's editor offers; the server-side allow-list in articles.sanitize is the
# superset that is enforced.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    # The editor switches the browser's spellcheck off unless told otherwise; a newsroom
    # wants its misspelt names underlined.
    "NoSpellCheck": False,
}


# Addresses under /news/ that belong to the newsroom itself (its feeds, the corrections
# page), never an article.
RESERVED_SLUGS = frozenset({"feed", "corrections"})


REFERENCE_NUMBER_RE = re.compile(
    r"^(?P<region>[A-Z]{3}) (?P<series>\d{2})/(?P<number>\d{3,5})/(?P<year>\d{4})$"
)
REFERENCE_REGION_CODES = {"AFR", "AMR", "ASA", "EUR", "MDE", "ACT", "IOR", "POL", "ORG"}


def validate_reference_number(value):
    """A human-rights report index: ``AMR 41/6514/2017`` (region, series/number, year)."""
    match = REFERENCE_NUMBER_RE.match(value)
    if not match:
        raise ValidationError(
            "Use the form AAA 00/0000/YYYY, for example AMR 41/6514/2017.",
            code="invalid_reference",
        )
    if match["region"] not in REFERENCE_REGION_CODES:
        raise ValidationError(
            "%(code)s is not a known region code; use one of %(codes)s.",
            params={"code": match["region"], "codes": ", ".join(sorted(REFERENCE_REGION_CODES))},
            code="invalid_reference_region",
        )
    year = int(match["year"])
    if not 1961 <= year <= timezone.now().year + 1:
        raise ValidationError(
            "%(year)s is not a plausible year for a report.",
            params={"year": year},
            code="invalid_reference_year",
        )


# The one statement of "only reports carry a reference number": the database enforces it,
# and the admin form and the importer ask the same constraint before writing.
REFERENCE_ONLY_ON_REPORTS = models.CheckConstraint(
    condition=models.Q(reference_number="") | models.Q(kind="report"),
    name="article_reference_only_on_reports",
    violation_error_message="Only reports carry a reference number.",
)


def check_reference_only_on_reports(*, kind, reference_number):
    """Raise ValidationError on ``reference_number`` unless the rule above holds."""
    article = Article(kind=kind, reference_number=reference_number)
    try:
        REFERENCE_ONLY_ON_REPORTS.validate(Article, article)
    except ValidationError as error:
        raise ValidationError({"reference_number": error.messages}) from None


class Article(models.Model):
    """A press release, report or statement.

    Live (public) when published and its publication time has come: see
    ``ArticleQuerySet.live``. A future publication time schedules it.
    """

    class Kind(models.TextChoices):
        PRESS_RELEASE = "press-release", _("Press Release")
        REPORT = "report", _("Report")
        STATEMENT = "statement", _("Statement")

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        # Was live, withdrawn: publishing it again keeps its original time by default.
        UNPUBLISHED = "unpublished", "Unpublished"

    kind = models.CharField(
        max_length=20, choices=Kind, default=Kind.PRESS_RELEASE, help_text="What this is."
    )
    # One of settings.LANGUAGES (checked by clean() and the forms, not by choices: the
    # setting comes from the environment, and the schema must not follow it).
    language = models.CharField(
        max_length=10,
        default=default_language,
        help_text="The language the article is written in; its address starts with the "
        "language's code unless it is the newsroom's first language.",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # A source with translations is not deleted from under them: delete or detach
        # the translations first (the admin lists them).
        on_delete=models.PROTECT,
        related_name="translations",
        verbose_name="translation of",
        help_text="The article this one translates. Translations share the source's kind, "
        "regions, topics, reference number and photo.",
    )
    title = models.CharField(max_length=255, help_text="The headline.")
    slug = models.SlugField(
        max_length=255,
        unique=True,
        help_text="The article's address: /news/<slug>/. Changing it on a live article "
        "keeps the old address working as a redirect.",
    )
    summary = models.TextField(
        help_text="Plain text: the excerpt on cards, in feeds and in search results "
        "(about 60 words show on a card)."
    )
    body = SanitizedHTMLField(
        extensions=BODY_EDITOR_EXTENSIONS,
        # Our allow-list (articles.sanitize) is the one that counts, on every save.
        sanitize=sanitize_html,
        blank=True,
        help_text="The full text. Scripts and unknown markup are removed on save.",
    )
    reference_number = models.CharField(
        max_length=30,
        blank=True,
        validators=[validate_reference_number],
        help_text="Reports only, optional: the index, e.g. AMR 41/6514/2017.",
    )
    status = models.CharField(
        max_length=12,
        choices=Status,
        default=Status.DRAFT,
        help_text="Drafts are never public. Published articles go live at their publication time.",
    )
    review_state = models.CharField(
        max_length=20,
        choices=ReviewState,
        default=ReviewState.DRAFT,
        help_text="Where an article that is not published stands in review; changed only "
        "by the workflow's buttons (articles.workflow).",
    )
    published_at = BoundedDateTimeField(
        "publication time",
        default=timezone.now,
        db_index=True,
        help_text=f"In the newsroom's time zone ({settings.TIME_ZONE}). A future time "
        "schedules the article.",
    )
    substantively_updated_at = BoundedDateTimeField(
        "last substantively updated",
        null=True,
        blank=True,
        help_text="Set when the content changed in a way readers should know about "
        "(not for typo fixes).",
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="articles", help_text="Countries and regions covered."
    )
    groupings = models.ManyToManyField(
        Region,
        through="ArticleGrouping",
        related_name="grouped_articles",
        editable=False,
        help_text="The regional groupings the article's regions fall under, derived from "
        "them by articles.regions.sync_groupings.",
    )
    topics = TaggableManager(
        through=TaggedArticle, blank=True, help_text="Topics, e.g. Refugees and migrants."
    )
    hero_photo = models.ForeignKey(
        "media_library.Photo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hero_articles",
        help_text="The main photo, shown on cards and at the top of the article.",
    )
    hero_caption = models.TextField(
        blank=True,
        help_text="Optional: replaces the photo's own caption for this article only.",
    )
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="related_from",
        help_text="Shown first under 'Related'; recent articles on the same regions and "
        "topics follow.",
    )
    attachments = models.ManyToManyField(
        "media_library.Document",
        blank=True,
        related_name="articles",
        help_text="Downloads, such as a report's PDF.",
    )
    spokespeople = models.ManyToManyField(
        "press.Spokesperson",
        blank=True,
        related_name="articles",
        help_text="Spokespeople quoted in this article.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
        ]
        indexes = [
            # The live queryset: status + publication time, newest first.
            models.Index(fields=["status", "-published_at", "-id"], name="article_live_idx"),
            # A language's list (/es/news/): its live articles, newest first, read from the
            # index even when the language has few of them.
            models.Index(
                fields=["language", "status", "-published_at", "-id"],
                name="article_language_live_idx",
            ),
            # With the language and the id, counting a type's live articles in a language
            # under a grouping reads indexes only (100,000 articles: 22 ms against 87 ms
            # through the table, as /news/?type=report&region=americas asks).
            models.Index(
                fields=["kind", "language", "status", "-published_at", "-id"],
                name="article_kind_language_live_idx",
            ),
            # The admin's list sorted by title (Django adds -id to make the order total):
            # without it, a sort of every row (4 s at 1,000,000 articles).
            models.Index(fields=["title", "-id"], name="article_title_idx"),
            # The admin search's exact matches: title (any case) and reference number.
            models.Index(Upper("title"), name="article_title_upper_idx"),
            models.Index(
                Upper("reference_number"),
                name="article_reference_idx",
                condition=models.Q(reference_number__gt=""),
            ),
        ]
        constraints = [
            REFERENCE_ONLY_ON_REPORTS,
            # One version per language in a translation group (the source's own language
            # is checked by clean(): a constraint cannot see the source's row).
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="article_one_translation_per_language"
            ),
            models.CheckConstraint(
                condition=~models.Q(translation_of=models.F("pk")),
                name="article_not_its_own_translation",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A shared URL must never break: when a live article's slug changes, the old slug
        # becomes a permanent redirect. Kept here, not in a service, because every route
        # that edits an article (admin, import, shell) must honour it.
        old_slug = getattr(self, "_loaded_slug", None)
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug and getattr(self, "_loaded_live", False):
            SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
            # Back at one of its own old addresses: that redirect is no longer needed.
            # Another article's old address is never taken over (see clean()).
            SlugRedirect.objects.filter(old_slug=self.slug, article=self).delete()
        self._loaded_slug = self.slug
        self._loaded_live = self.is_live

    def get_absolute_url(self):
        # In the article's own language, whatever the language of the page linking to it.
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def group_id(self) -> int | None:
        """The id of the translation group's source (this article's own, for a source)."""
        return self.translation_of_id or self.pk

    def translation_group(self):
        """The source and its translations, this article included, in every state."""
        group_id = self.group_id
        return Article.objects.filter(models.Q(pk=group_id) | models.Q(translation_of_id=group_id))

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        # Remember the stored slug and liveness so a save can keep old URLs working.
        instance._loaded_slug = instance.__dict__.get("slug")
        instance._loaded_live = (
            instance.__dict__.get("status") == cls.Status.PUBLISHED
            and instance.__dict__.get("published_at") is not None
            and instance.published_at <= timezone.now()
        )
        return instance

    def clean(self):
        super().clean()
        self._clean_language()
        if self.reference_number:
            check_reference_only_on_reports(kind=self.kind, reference_number=self.reference_number)
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is reserved for the newsroom's own pages."}
            )
        moved = (
            SlugRedirect.objects.filter(old_slug=self.slug)
            .exclude(article_id=self.pk)
            .select_related("article")
            .first()
        )
        if moved is not None:
            # Shared links to the old address must keep reaching the article they meant.
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” is an old address of “{moved.article.title}”, "
                    "and links to it still lead there. Choose another slug."
                }
            )

    def _clean_language(self):
        if self.language not in language_codes():
            raise ValidationError(
                {
                    "language": f"“{self.language}” is not one of the newsroom's languages "
                    f"({', '.join(language_codes())})."
                }
            )
        source = self.translation_of
        if source is None:
            return
        if self.pk and source.pk == self.pk:
            raise ValidationError({"translation_of": "An article cannot translate itself."})
        if source.translation_of_id:
            raise ValidationError(
                {
                    "translation_of": f"“{source.title}” is itself a translation: choose "
                    "the article it translates."
                }
            )
        if self.pk and self.translations.exists():
            raise ValidationError(
                {"translation_of": "This article has translations of its own: it is a source."}
            )
        taken = source.translation_group().filter(language=self.language).exclude(pk=self.pk)
        if taken.exists():
            raise ValidationError(
                {
                    "language": f"“{source.title}” already has a version in "
                    f"{language_name(self.language)}: “{taken.first().title}”."
                }
            )

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def pending_change_or_none(self):
        """The article's pending version (``desk.pending``), waiting or sent back."""
        try:
            return self.pending_change
        except ObjectDoesNotExist:
            return None

    @property
    def has_pending_changes(self) -> bool:
        """Whether changes wait for an editor's review. Lists annotate ``pending_flag``
        (one query for the page); otherwise asked of live articles only."""
        if "pending_flag" in self.__dict__:
            return bool(self.pending_flag)
        if not self.pk or not self.is_live:
            return False
        pending = self.pending_change_or_none
        return pending is not None and pending.is_waiting

    @property
    def state(self) -> State:
        """The state as staff think of it (``articles.states.State``): draft, in review,
        changes requested, approved, scheduled, live (with or without changes pending)
        or unpublished."""
        now = timezone.now()
        live = self.status == self.Status.PUBLISHED and self.published_at <= now
        return state_of(
            status=self.status,
            review_state=self.review_state,
            published_at=self.published_at,
            now=now,
            pending=live and self.has_pending_changes,
        )

    @property
    def caption(self):
        """The hero photo's caption in the article's language (its own override first,
        then the photo's text in the language, then the default language's)."""
        if self.hero_caption:
            return self.hero_caption
        return photo_text(self.hero_photo, self.language)[1] if self.hero_photo_id else ""

    @property
    def hero_alt(self):
        """The hero photo's alt text in the article's language ("" when decorative)."""
        if not self.hero_photo_id or self.hero_photo.is_decorative:
            return ""
        return photo_text(self.hero_photo, self.language)[0]


class ArticleGrouping(models.Model):
    """A regional grouping an article falls under: tagged with the grouping itself or
    with one of its countries.

    Derived data, stored so that filtering by a grouping is one indexed lookup rather than
    a test against each of its (up to 56) countries. Written only by
    ``articles.regions.sync_groupings``, which every path that changes an article's
    regions or a country's grouping calls.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    grouping = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "grouping"], name="article_grouping_unique"
            ),
        ]
        indexes = [
            # From a grouping to its articles (the unique constraint covers the other way).
            models.Index(fields=["grouping", "article"], name="article_grouping_idx"),
        ]

    def __str__(self):
        return f"{self.article_id} in {self.grouping_id}"


class SlugRedirect(models.Model):
    """An old address of a live article, answered with a permanent redirect."""

    old_slug = models.SlugField(max_length=255, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


# Defined in its own module; imported here so that Django finds the model.
from articles.notes import ArticleNote  # noqa: E402, F401
