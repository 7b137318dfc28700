"""The edit lock: "Being edited by Ana since 10:02", heartbeats, expiry and take-over."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from desk.models import ArticleEditLock
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def heartbeat_url(article):
    return reverse("admin:articles_article_lock_heartbeat", args=[article.pk])


def take_over_url(article):
    return reverse("admin:articles_article_lock_take_over", args=[article.pk])


def release_url(article):
    return reverse("admin:articles_article_lock_release", args=[article.pk])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ana(writer):
    writer.first_name, writer.last_name = "Ana", "Rivera"
    writer.save()
    return writer


def test_opening_the_form_locks_the_article_and_loads_the_heartbeat_script(ana):
    article = ArticleFactory()
    html = logged_in(ana).get(change_url(article)).content.decode()
    lock = ArticleEditLock.objects.get(article=article)
    assert lock.user == ana
    assert f'data-heartbeat-url="{heartbeat_url(article)}"' in html
    assert "desk/edit_lock" in html
    assert "Being edited by" not in html


def test_others_see_who_is_editing_since_when(ana, editor):
    article = ArticleFactory()
    logged_in(ana).get(change_url(article))
    since = timezone.localtime(ArticleEditLock.objects.get().since).strftime("%-I:%M")
    html = logged_in(editor).get(change_url(article)).content.decode()
    assert "Being edited by Ana Rivera since" in html
    assert since in html
    assert f'action="{take_over_url(article)}"' in html
    # Their own page does not try to keep a lock it does not hold.
    assert "data-heartbeat-url" not in html
    assert ArticleEditLock.objects.get().user == ana


def test_the_press_office_sees_the_lock_but_cannot_take_over(ana, press_officer):
    article = ArticleFactory()
    logged_in(ana).get(change_url(article))
    html = logged_in(press_officer).get(change_url(article)).content.decode()
    assert "Being edited by Ana Rivera" in html
    assert "Take over editing" not in html
    assert logged_in(press_officer).post(take_over_url(article)).status_code == 403
    assert ArticleEditLock.objects.get().user == ana


def test_heartbeats_keep_the_lock(ana):
    article = ArticleFactory()
    client = logged_in(ana)
    client.get(change_url(article))
    ArticleEditLock.objects.update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    response = client.post(heartbeat_url(article))
    assert response.json() == {"held": True}
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert ArticleEditLock.objects.get().is_active()


def test_a_lock_without_heartbeat_expires_after_two_minutes(ana, editor):
    article = ArticleFactory()
    logged_in(ana).get(change_url(article))
    ArticleEditLock.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=2, seconds=1))
    html = logged_in(editor).get(change_url(article)).content.decode()
    assert "Being edited by" not in html
    assert ArticleEditLock.objects.get().user == editor
    # Ana's page learns at its next heartbeat.
    data = logged_in(ana).post(heartbeat_url(article)).json()
    assert data["held"] is False
    assert data["holder"] == editor.get_username()


def test_take_over_is_a_post_and_is_recorded(ana, editor):
    article = ArticleFactory()
    logged_in(ana).get(change_url(article))
    ben = logged_in(editor)
    response = ben.post(take_over_url(article), follow=True)
    assert response.redirect_chain[-1][0] == change_url(article)
    assert "You are now editing" in response.content.decode()
    assert ArticleEditLock.objects.get().user == editor
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert entry.user == editor
    assert entry.change_message.startswith("Took over editing from Ana Rivera")
    data = logged_in(ana).post(heartbeat_url(article)).json()
    assert data == {"held": False, "holder": editor.get_username(), "since": data["since"]}


def test_taking_over_a_free_article_records_nothing(editor):
    article = ArticleFactory()
    logged_in(editor).post(take_over_url(article))
    assert ArticleEditLock.objects.get().user == editor
    assert not LogEntry.objects.exists()


def test_leaving_releases_only_ones_own_lock(ana, editor):
    article = ArticleFactory()
    logged_in(ana).get(change_url(article))
    assert logged_in(editor).post(release_url(article)).status_code == 204
    assert ArticleEditLock.objects.filter(user=ana).exists()
    assert logged_in(ana).post(release_url(article)).status_code == 204
    assert not ArticleEditLock.objects.exists()


def test_a_lock_never_blocks_a_save(ana, editor):
    """Advisory: the version check, not the lock, decides whether a save goes through."""
    article = ArticleFactory(published_at=timezone.now().replace(microsecond=0))
    logged_in(ana).get(change_url(article))
    ben = logged_in(editor)
    form = ben.get(change_url(article)).context["adminform"].form
    published_at = timezone.localtime(article.published_at)
    data = {
        "kind": article.kind,
        "title": "Ben's edit",
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at_0": published_at.strftime("%Y-%m-%d"),
        "published_at_1": published_at.strftime("%H:%M:%S"),
        "base_version": form.base_version_value,
        "change_kind": "silent",
        "_save": "Save",
    }
    assert ben.post(change_url(article), data).status_code == 302


def test_deleted_users_free_their_locks(editor):
    article = ArticleFactory()
    someone = UserFactory(is_staff=True)
    ArticleEditLock.objects.create(article=article, user=someone)
    someone.delete()
    assert not ArticleEditLock.objects.exists()
