"""Derived data (filter choices, fragments, counts, settings) is keyed by the content
epoch: every edit, regions and topics included, shows at once."""

import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.urls import reverse

from articles.filters import popular_topics, region_index
from articles.models import Region
from articles.regions import region_choices
from core import cache as core_cache
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def add_region_in_the_admin(admin_client, **fields):
    americas = Region.objects.get(slug="americas")
    data = {"name": "Atlantis", "slug": "xa", "iso_code": "XA", "report_code": ""}
    response = admin_client.post(
        reverse("admin:articles_region_add"), data | {"parent": americas.pk} | fields
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_region_added_in_the_admin_is_accepted_by_the_filter_at_once(admin_client, client):
    ArticleFactory(regions=["mx"])
    # Warm every cached lookup first: the old caches kept refusing it for ten minutes.
    assert "xa" not in region_index()
    assert "not understood" in client.get("/news/?region=xa").content.decode()

    add_region_in_the_admin(admin_client)

    page = client.get("/news/?region=xa").content.decode()
    assert "not understood" not in page
    assert '<option value="xa" selected>Atlantis</option>' in page


def test_a_region_added_in_the_admin_is_offered_by_the_inquiry_form_at_once(admin_client, client):
    assert "Atlantis" not in client.get("/press/inquiry/").content.decode()
    assert not any(slug == "xa" for _, group in region_choices() for slug, _ in group)

    add_region_in_the_admin(admin_client)

    assert '<option value="xa">Atlantis</option>' in client.get("/press/inquiry/").content.decode()


def test_a_new_topic_is_offered_at_once(client):
    ArticleFactory(topics=["Asylum"])
    assert list(popular_topics().values()) == ["Asylum"]
    ArticleFactory(topics=["Death penalty"])
    assert list(popular_topics().values()) == ["Asylum", "Death penalty"]
    assert '<option value="death-penalty">' in client.get("/news/").content.decode()


def test_derived_keys_move_with_the_content_and_name_their_parts():
    first = core_cache.derived_key("thing", 1, "a")
    assert first == core_cache.derived_key("thing", 1, "a")
    assert first != core_cache.derived_key("thing", 2, "a")
    assert first != core_cache.derived_key("other", 1, "a")
    core_cache.bump_content_version()
    assert first != core_cache.derived_key("thing", 1, "a")


def test_cached_builds_once_per_epoch():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert core_cache.cached("counted", build) == 1
    assert core_cache.cached("counted", build) == 1
    ArticleFactory()  # any public change
    assert core_cache.cached("counted", build) == 2


def test_two_processes_share_the_development_cache(settings, tmp_path):
    """Two cache instances over one folder, as the dev server and the worker have: what
    one bumps, the other sees at once (a per-process memory cache would not)."""
    server = FileBasedCache(str(tmp_path), {})
    worker = FileBasedCache(str(tmp_path), {})
    server.set(core_cache.VERSION_KEY, 10, None)
    worker.incr(core_cache.VERSION_KEY)
    assert server.get(core_cache.VERSION_KEY) == 11


def test_the_development_default_is_shared_by_processes(tmp_path):
    """``make run``'s server and worker are separate processes: a bump in one (here a
    management shell) is seen by the other (this test) through the default cache."""
    root = Path(__file__).resolve().parent.parent
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "CACHE_DIR": str(tmp_path),
    }
    script = (
        "from core.cache import bump_content_version, content_version\n"
        "content_version(); bump_content_version(); print(content_version())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    bumped_there = int(result.stdout.split()[-1])
    assert FileBasedCache(str(tmp_path), {}).get(core_cache.VERSION_KEY) == bumped_there


def test_a_change_inside_a_request_scope_is_seen_by_its_later_reads():
    with core_cache.one_epoch():
        before = core_cache.content_epoch()
        assert core_cache.content_epoch() == before  # read once per request
        ArticleFactory()
        assert core_cache.content_epoch() != before


def test_the_inquiry_form_reads_the_epoch_once(client, django_assert_max_num_queries):
    client.get("/press/inquiry/")
    with django_assert_max_num_queries(0):
        assert client.get("/press/inquiry/").status_code == 200


# --- a deploy that changes a template -------------------------------------------------


def deploy_templates(settings, folder, **changed):
    """A new release: the project's templates with ``changed`` ones ({name: edit of its
    source}), served by a new process (nothing about templates remembered)."""
    for name, edit in changed.items():
        source = (Path(settings.BASE_DIR) / "templates" / name).read_text()
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit(source))
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [folder, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


def test_a_changed_fragment_template_is_rendered_anew_after_a_deploy(client, settings, tmp_path):
    article = ArticleFactory(title="Detention centres")
    before = client.get(article.get_absolute_url()).content.decode()
    assert "release-two" not in before
    # The article's main fragment is now cached; the content does not change.
    deploy_templates(
        settings,
        tmp_path / "release-two",
        **{
            "articles/article_detail.html": lambda source: source.replace(
                '{% cached_fragment "article-main" fragment_parts %}',
                '{% cached_fragment "article-main" fragment_parts %}<i id="release-two"></i>',
            )
        },
    )
    after = client.get(article.get_absolute_url()).content.decode()
    assert '<i id="release-two"></i>' in after
    assert "Detention centres" in after


def test_a_changed_card_template_is_rendered_anew_after_a_deploy(client, settings, tmp_path):
    ArticleFactory(title="Detention centres")
    assert "card-release-two" not in client.get("/news/").content.decode()
    deploy_templates(
        settings,
        tmp_path / "release-two",
        **{
            "includes/cards/kind_icon.html": lambda source: source + "<b>card-release-two</b>",
        },
    )
    assert "<b>card-release-two</b>" in client.get("/news/").content.decode()


def test_the_templates_version_is_read_once_per_process(settings, tmp_path):
    first = core_cache.templates_version()
    with mock.patch.object(Path, "read_bytes") as read:
        assert core_cache.templates_version() == first
    assert not read.called
    deploy_templates(settings, tmp_path / "release-two", **{"home.html": lambda s: s + " "})
    assert core_cache.templates_version() != first
