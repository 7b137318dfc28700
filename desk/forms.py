"""Admin forms for articles: what staff may set depends on whether they may publish."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article
from articles.topics import TopicsFormMixin
from desk.corrections import ChangeNoteForm


def newsroom_zone_note() -> str:
    """Which zone admin times are in, with its current offset, e.g. "America/New_York
    (currently UTC-05:00, EST)"."""
    now = timezone.localtime()
    offset = now.strftime("%z")
    return (
        f"{timezone.get_current_timezone_name()} "
        f"(currently UTC{offset[:3]}:{offset[3:]}, {now.tzname()})"
    )


def slug_help_text(article: Article) -> str:
    """The address the slug makes, written out (the admin shows help texts as HTML, so
    "/news/<slug>/" would lose its middle)."""
    if article.pk and article.slug:
        address = escape(article.get_absolute_url())
        note = (
            " Changing it keeps the old address working as a redirect."
            if getattr(article, "_loaded_live", False)
            else ""
        )
        return mark_safe(f"The article's address: <code>{address}</code>.{note}")
    prefix = escape(reverse("articles:list"))
    return mark_safe(
        f"The last part of the article's address, <code>{prefix}<var>slug</var>/</code>; "
        "made from the title as you type it. Letters, digits and hyphens."
    )


class ArticleAdminForm(TopicsFormMixin, ChangeNoteForm, forms.ModelForm):
    """The article change form.

    ``can_publish`` is set per request by ``ArticleAdmin.get_form``. Without it the status
    can only keep its current value and, once an article is published (live or
    scheduled), its publication time cannot change either. This is enforced here, on the
    server: a crafted POST asking for another status fails validation like any other bad
    input, whatever the page showed.

    Writers may still correct the text of a live or scheduled article. Corrections (a
    misspelt name, a wrong figure) are urgent and are often spotted by the writer; making
    them wait for an editor would leave the error public for longer, while what is public
    and when stays an editor's decision. Every such edit is in the article's history
    with who made it.
    """

    can_publish = False

    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "slug",
            "summary",
            "body",
            "status",
            "published_at",
            "regions",
            "topics",
            "hero_photo",
            "hero_caption",
            "attachments",
            "related",
            "spokespeople",
            "reference_number",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = newsroom_zone_note()
        if "published_at" in self.fields:
            self.fields["published_at"].help_text = (
                f"In the newsroom's time zone: {zone}. A future time schedules the article; "
                "it then goes live on its own at that time."
            )
        if not self.can_publish:
            self._limit_to_current_publication_state()
        if "slug" in self.fields:
            self.fields["slug"].help_text = slug_help_text(self.instance)

    def clean_published_at(self):
        # A disabled field falls back to its displayed value, which has lost the
        # microseconds; keep the stored time exactly.
        if self.fields["published_at"].disabled:
            return self.instance.published_at
        return self.cleaned_data["published_at"]

    def _limit_to_current_publication_state(self):
        current = self.instance.status if self.instance.pk else Article.Status.DRAFT
        if "status" in self.fields:
            status = self.fields["status"]
            status.choices = [(v, label) for v, label in Article.Status.choices if v == current]
            status.initial = current
            status.help_text = "Only editors can publish, schedule or unpublish articles."
        if current != Article.Status.DRAFT and "published_at" in self.fields:
            published_at = self.fields["published_at"]
            published_at.disabled = True
            published_at.help_text = (
                "Only editors can change the publication time of a published article. "
                f"In the newsroom's time zone: {newsroom_zone_note()}."
            )
