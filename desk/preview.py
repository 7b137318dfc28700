"""Staff previews of an article through the public template, marked "Preview — not
published": the saved article (any state), or the change form's content as it is now,
before or after the first save. Reached only through the admin
(``desk.admin_revisions``), which checks permissions; never cached, never indexed.
"""

from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.views.generic import DetailView
from taggit.models import Tag

from articles.models import Article
from articles.related import related_articles
from articles.sanitize import sanitize_html
from articles.structured_data import news_article_json_ld
from articles.views import ArticleDetailView

# An unsaved article needs a primary key for its relation managers to answer from the
# prefetch cache the preview fills in; no query is made with it and nothing is saved.
UNSAVED_PK = 0


class ArticlePreviewView(ArticleDetailView):
    """The public article page for any saved article, drafts and scheduled ones included,
    with ``is_preview`` set for the template's banner."""

    def get_queryset(self):
        # The public view's select_related/prefetch_related, without its live() filter.
        return (
            Article.objects.select_related("hero_photo", "media_kit")
            .prefetch_related("regions", "topics", "attachments", "spokespeople", "notes")
            .with_pending_flag()
        )

    def get(self, request, *args, **kwargs):
        # A preview is addressed by id: skip the public view's old-slug redirects.
        return DetailView.get(self, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, is_preview=True)


class FormPreviewView(ArticleDetailView):
    """The public template for an article built from form data (not saved). Its
    fragments are never cached: ``fragment_parts`` is None."""

    article = None
    picks = None

    def get_object(self, queryset=None):
        return self.article

    def post(self, request, *args, **kwargs):
        # The form's data arrives by POST; the page is the public GET page.
        return DetailView.get(self, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = DetailView.get_context_data(self, **kwargs)
        picks = self.picks.live()
        return context | {
            "is_preview": True,
            "fragment_parts": None,
            "related_articles": related_articles(
                article=self.object, limit=self.related_limit, picks=picks
            ),
            "json_ld": news_article_json_ld(article=self.object, request=self.request),
        }


def _topics(chosen):
    """The form's topics: existing ones (as tags) and new ones (as names, not created)."""
    names = [item for item in chosen if isinstance(item, str)]
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)} if names else {}
    return [
        item if isinstance(item, Tag) else existing.get(item) or Tag(name=item, slug=slugify(item))
        for item in chosen
    ]


def unsaved_article(form) -> Article:
    """The article the valid ``form`` would save, relations included, without saving."""
    article = form.instance  # the ModelForm has set its fields from the data
    article.body = sanitize_html(article.body)
    saved = article.pk is not None
    if not saved:
        article.pk = UNSAVED_PK
    data = form.cleaned_data
    # Relations as the form has them (what the template and JSON-LD read through
    # ``article.<relation>.all()``), never what is stored.
    article._prefetched_objects_cache = {
        "regions": list(data.get("regions") or []),
        "topics": _topics(data.get("topics") or []),
        "attachments": list(data.get("attachments") or []),
        "spokespeople": list(data.get("spokespeople") or []),
        # Public notes are written on their own, never through this form: the stored ones.
        "notes": list(article.notes.all()) if saved else [],
    }
    return article


def render_form_preview(request, *, form, admin_site):
    """The preview page of ``form``'s content, or the form's errors (400) if it cannot
    be shown."""
    if not form.is_valid():
        context = {
            **admin_site.each_context(request),
            "title": "This preview cannot be shown yet",
            "form": form,
            "errors": [
                (form.fields[name].label if name in form.fields else "", errors)
                for name, errors in form.errors.items()
            ],
        }
        return TemplateResponse(
            request, "admin/articles/article/preview_errors.html", context, status=400
        )
    related = form.cleaned_data.get("related")
    picks = related if isinstance(related, QuerySet) else Article.objects.none()
    view = FormPreviewView.as_view(article=unsaved_article(form), picks=picks)
    response = view(request)
    response.render()
    return response
