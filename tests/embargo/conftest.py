"""An embargoed article with a photo and a report PDF, and a way to share it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from embargo.services import embargo_share
from tests.factories import ArticleFactory, DocumentFactory, image_upload, make_photo

# Appears nowhere but in the embargoed article: searched for on every public surface.
SECRET_TITLE = "Zanzibarian quokka tribunal findings"
SECRET_SUMMARY = "Unmistakable embargoed summary about xylophonic detentions."


def make_embargoed():
    """A scheduled report with a photo and a PDF, saved as the admin would: in a test
    transaction, call it inside ``django_capture_on_commit_callbacks(execute=True)`` so
    its media are withheld as they are after a real commit."""
    photo = make_photo(
        file=image_upload("secret.jpg", width=1600, height=900),
        alt_text="Detainees behind a fence",
        caption="Detainees behind a fence.",
        credit="Photo by Ana Ruiz / Agency",
    )
    document = DocumentFactory(title="Full report", file_size=1234)
    article = ArticleFactory(
        kind="report",
        title=SECRET_TITLE,
        slug="quokka-tribunal",
        summary=SECRET_SUMMARY,
        body="<p>The tribunal found the detentions arbitrary.</p>",
        published_at=timezone.now() + timedelta(days=2),
        hero_photo=photo,
        regions=["mx"],
        topics=["Refugees and migrants"],
    )
    article.attachments.set([document])
    article.save()
    return article


@pytest.fixture
def embargoed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_embargoed()
    article.refresh_from_db()
    return article


def share(article, *emails, **kwargs):
    """Share and return the tokens, in order (e-mails sent at once by the test backend)."""
    issued = embargo_share(article=article, emails=list(emails), **kwargs)
    return [token for _link, token in issued]


@pytest.fixture
def token(embargoed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return share(embargoed, "reporter@example.com")[0]
