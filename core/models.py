import copy

from django.conf import settings
from django.db import models

from core.cache import cached
from core.languages import current_language, default_language
from core.phones import international_phone_validator


def default_press_email():
    """Until staff name one in the site settings, the press address is the
    PRESS_OFFICE_EMAIL setting: the address the site shows and the one told of inquiries
    are then the same."""
    return settings.PRESS_OFFICE_EMAIL


class SiteSettings(models.Model):
    """The site's name, the newsroom page's texts and the press office's addresses,
    editable by staff without a deploy.

    A single row; ``SiteSettings.load()`` returns it (the defaults until it is saved), and every
    template has it as ``site_settings`` (``core.context_processors.site_settings``).
    """

    name = models.CharField(
        "site name",
        max_length=100,
        default="Newsroom",
        help_text="The newsroom's name: the page heading, browser tabs, feeds and the "
        "previews of shared links.",
    )
    mission = models.CharField(
        max_length=300,
        default="We put a human face on complex issues to hold governments accountable.",
        help_text="One line under the heading.",
    )
    intro = models.TextField(
        default="Below you'll find breaking news as well as reports, updates on our "
        "campaigns, and victories.",
        help_text="Plain text shown under the mission.",
    )
    press_email = models.EmailField(
        default=default_press_email,
        help_text="The press office's address: shown to journalists on the newsroom page, "
        "articles and contact cards, the Reply-To of its mails, and told of each media "
        "inquiry unless recipients are named below.",
    )
    press_phone = models.CharField(
        max_length=40, blank=True, help_text="Shown beside the press e-mail address."
    )
    out_of_hours_phone = models.CharField(
        "out-of-hours press line",
        max_length=40,
        blank=True,
        validators=[international_phone_validator],
        help_text="The number journalists call outside office hours, with the country "
        "code; shown on the press contacts page.",
    )
    inquiry_recipients = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated addresses notified of each media inquiry. Empty: the "
        "press e-mail above.",
    )
    corrections_policy = models.TextField(
        default="We correct errors of fact as soon as we find them, and say so: every "
        "correction and clarification is listed here with the article it concerns.",
        help_text="Plain text: the organisation's corrections policy, shown on the "
        "corrections page above the press office's address for reporting an error.",
    )
    require_second_person = models.BooleanField(
        "two people for every publication",
        default=False,
        help_text="When on, whoever wrote or last edited an article cannot approve, "
        "publish or schedule it: a second editor must. Changes to a live article, an "
        "editor's included, then wait as pending changes (the public keeps the live text) "
        "until another editor approves them. When off, editors' and writers' changes to a "
        "live article are public as soon as they are saved.",
    )
    lead_article = models.ForeignKey(
        "articles.Article",
        verbose_name="lead story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"status": "published"},
        help_text="Pinned at the top of the home page while it is live. Empty: the newest "
        "article leads.",
    )
    # The texts visitors read, in the newsroom's other languages: {"es": {"name": …}}.
    # On the row itself rather than in a table of their own: every public page reads the
    # settings (one cached row), and a handful of short texts per language need no join.
    translations = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # The fields visitors read, written per language; the row's own are the default's.
    TRANSLATED_FIELDS = ("name", "mission", "intro", "corrections_policy")

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    @classmethod
    def load(cls):
        """The settings, from the cache on most requests (every public page shows it).

        Keyed by the content epoch (``core.cache.cached``): saving the row moves it, so an
        edit shows at once. Before anyone has saved them, the defaults, unsaved: a public
        page never writes.
        """
        return cached("site-settings", lambda: cls.objects.filter(pk=1).first() or cls(pk=1))

    def text(self, field: str, language: str | None = None) -> str:
        """``field`` (one of ``TRANSLATED_FIELDS``) in ``language`` (the active one by
        default), falling back to the default language's text."""
        language = language or current_language()
        if language != default_language():
            texts = (
                self.translations.get(language) if isinstance(self.translations, dict) else None
            )
            value = texts.get(field) if isinstance(texts, dict) else None
            if isinstance(value, str) and value.strip():
                return value
        return getattr(self, field)

    def localised(self, language: str | None = None) -> "SiteSettings":
        """These settings with their texts in ``language`` (the active one by default):
        what the pages of that language show. A copy, never saved; itself in the
        default language."""
        language = language or current_language()
        if language == default_language():
            return self
        local = copy.copy(self)
        for field in self.TRANSLATED_FIELDS:
            setattr(local, field, self.text(field, language))
        return local
