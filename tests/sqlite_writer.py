"""Staff at work in the admin while ``manage.py worker`` polls the same SQLite file, as
under ``make run``. tests/test_sqlite_worker.py runs each role in a process of its own,
with Django set up on that file (``DATABASE_URL``) and the project's own settings:

    setup                 migrates, then a chief editor, an author and an article in review
    users SECONDS         adds staff users through the admin's add and change forms
    workflow SECONDS      requests changes on the article and resubmits it, by its buttons

``users`` and ``workflow`` print one JSON line: the writes the admin confirmed and every
answer or exception that was not a success.
"""

import json
import sys
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse

from articles.models import Article
from articles.states import ReviewState, State
from desk.revisions import ensure_current

User = get_user_model()

ARTICLE_SLUG = "lock-test-article"
CHIEF = "chief"
PASSWORD = "a-long-enough-password-for-the-admin-9"


def setup():
    call_command("migrate", interactive=False, verbosity=0)
    User.objects.create_superuser(CHIEF, "chief@example.org", PASSWORD)
    author = User.objects.create_user("author", "author@example.org", PASSWORD, is_staff=True)
    Article.objects.create(
        kind=Article.Kind.PRESS_RELEASE,
        title="The lock test",
        slug=ARTICLE_SLUG,
        summary="An article staff move back and forth.",
        body="<p>Text.</p>",
        status=Article.Status.DRAFT,
        review_state=ReviewState.IN_REVIEW,
        created_by=author,
    )


class Desk:
    """A logged-in chief editor's browser: every answer that is not a redirect after a
    save, and every exception a request raised, is kept as a failure."""

    def __init__(self):
        self.client = Client(raise_request_exception=False, headers={"host": "localhost"})
        self.client.force_login(User.objects.get(username=CHIEF))
        self.failures = []
        got_request_exception.connect(self._exception, weak=False)

    def _exception(self, sender, request=None, **kwargs):
        self.failures.append(f"{request.path if request else '?'}: {sys.exception()!r}")

    def post(self, url, data) -> bool:
        response = self.client.post(url, data)
        if response.status_code != 302:
            self.failures.append(f"{url}: {response.status_code}")
            return False
        return True


def add_staff_users(seconds):
    desk = Desk()
    added = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        username = f"staff-{len(added) + len(desk.failures)}"
        created = desk.post(
            reverse("admin:auth_user_add"),
            {
                "username": username,
                "usable_password": "true",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        if not created:
            continue
        user = User.objects.get(username=username)
        made_staff = desk.post(
            reverse("admin:auth_user_change", args=[user.pk]),
            {
                "username": username,
                "is_active": "on",
                "is_staff": "on",
                "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
                "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            },
        )
        if made_staff:
            added.append(username)
    return {"added": added, "failures": desk.failures}


def request_changes_and_resubmit(seconds):
    desk = Desk()
    article = Article.objects.get(slug=ARTICLE_SLUG)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = {
        "kind": article.kind,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "substantively_updated_at_0": "",
        "substantively_updated_at_1": "",
        "topics": "",
        "hero_caption": "",
        "reference_number": "",
        "CHANGE_FORM-action": "",
        "_selected_action": article.pk,
    }
    requested = submitted = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        article.refresh_from_db()
        # The version marker the change form carries (a save without one is refused).
        form["base_version"] = ensure_current(article).version
        if article.state == State.IN_REVIEW:
            comment = f"Check the figures ({requested + 1})."
            done = desk.post(
                url, {**form, "_workflow": "request_changes", "_workflow_comment": comment}
            )
            requested += done
        else:
            done = desk.post(url, {**form, "_workflow": "submit", "_workflow_comment": ""})
            submitted += done
    return {"requested": requested, "submitted": submitted, "failures": desk.failures}


def main(role, *args):
    match role:
        case "setup":
            setup()
            return
        case "users":
            result = add_staff_users(float(args[0]))
        case "workflow":
            result = request_changes_and_resubmit(float(args[0]))
    print(json.dumps(result))
