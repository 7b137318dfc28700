"""Stale translations: the base each translation records, what makes it out of date
(the source's words, never its slug, state or times), in SQL and for one translation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.changes import articles_written
from articles.models import Article
from desk.models import TranslationBase
from desk.revisions import ensure_current, record_revision
from desk.translation_status import (
    ensure_base,
    mark_up_to_date,
    staleness,
    with_staleness,
)
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def source_and_translation(**source_fields):
    source = ArticleFactory(
        title="Release the detained activists",
        summary="The authorities must release them.",
        body="<p>The activists were detained after a peaceful protest.</p>",
        **source_fields,
    )
    record_revision(article=source, message="Created.")
    translation = ArticleFactory(language="es", translation_of=source, title="Liberen")
    return source, translation


def edit(article, message="Saved.", **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    return record_revision(article=article, message=message)


def is_stale(translation):
    return with_staleness(Article.objects.filter(pk=translation.pk)).get().is_stale


def test_a_translation_records_its_source_latest_revision_when_created(multilingual):
    source, translation = source_and_translation()
    base = TranslationBase.objects.get(translation=translation)
    assert base.source_revision == source.revisions.get(version=1)
    assert base.marked_by is None
    assert not is_stale(translation)
    assert not staleness(translation).stale


def test_a_source_without_revisions_gets_one_for_the_base(multilingual):
    source = ArticleFactory()
    assert not source.revisions.exists()
    translation = ArticleFactory(language="fr", translation_of=source)
    assert translation.translation_base.source_revision.article == source
    assert source.revisions.count() == 1


def test_an_import_records_bases_for_its_new_translations(multilingual):
    source = Article.objects.create(
        title="Source", slug="source", summary="S", body="<p>B</p>", published_at=timezone.now()
    )
    translations = Article.objects.bulk_create(
        [
            Article(
                title=f"T {code}",
                slug=f"t-{code}",
                language=code,
                translation_of=source,
                published_at=timezone.now(),
            )
            for code in ("es", "ar")
        ]
    )
    articles_written(
        article_ids=[t.pk for t in translations],
        before=dict.fromkeys([t.pk for t in translations]),
    )
    bases = TranslationBase.objects.filter(translation__in=translations)
    assert bases.count() == 2
    assert {base.source_revision.article_id for base in bases} == {source.pk}


def test_saving_a_source_asks_nothing_more(multilingual, django_assert_num_queries):
    source, _ = source_and_translation()
    from desk.translation_status import record_bases

    with django_assert_num_queries(0):
        record_bases(None, article_ids={source.pk}, changed={"article"}, article=source)


@pytest.mark.parametrize("field", ["title", "summary", "body"])
def test_a_substantive_edit_of_the_source_makes_the_translation_stale(multilingual, field):
    source, translation = source_and_translation()
    value = {"title": "New title", "summary": "New summary", "body": "<p>New body.</p>"}[field]
    edit(source, **{field: value})
    assert is_stale(translation)
    state = staleness(translation)
    assert state.stale
    assert [change.key for change in state.changes] == [field]


def test_slug_status_and_time_changes_leave_it_up_to_date(multilingual):
    source, translation = source_and_translation()
    edit(source, slug="another-slug")
    edit(source, status=Article.Status.UNPUBLISHED)
    edit(source, published_at=timezone.now() - timedelta(days=3))
    edit(source, kind=Article.Kind.REPORT, reference_number="AI 12/2026")
    assert source.revisions.count() == 5
    assert not is_stale(translation)
    assert not staleness(translation).stale


def test_an_edit_undone_leaves_it_up_to_date(multilingual):
    source, translation = source_and_translation()
    edit(source, title="A different title")
    assert is_stale(translation)
    edit(source, title="Release the detained activists")
    assert not is_stale(translation)
    assert not staleness(translation).stale


def test_the_diff_is_word_level_and_escaped(multilingual):
    source, translation = source_and_translation()
    edit(
        source,
        title="Release the <script>alert(1)</script> activists",
        body="<p>The activists were detained after a peaceful march.</p><p>A new paragraph.</p>",
    )
    changes = {change.key: change for change in staleness(translation).changes}
    title = str(changes["title"].diff)
    assert "<script>" not in title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert '<del><span class="revision-sr">removed: </span>detained</del>' in title
    body = str(changes["body"].diff)
    assert '<del><span class="revision-sr">removed: </span>protest.</del>' in body
    assert '<ins><span class="revision-sr">added: </span>march.</ins>' in body
    assert "<p>" in body and "&lt;p&gt;" not in body


def test_marking_up_to_date_moves_the_base(multilingual):
    source, translation = source_and_translation()
    revision = edit(source, title="New title")
    user = UserFactory(is_staff=True)
    mark_up_to_date(translation=translation, revision=revision, user=user)
    base = TranslationBase.objects.get(translation=translation)
    assert (base.source_revision, base.marked_by) == (revision, user)
    assert not is_stale(translation)
    edit(source, summary="Changed again")
    assert is_stale(translation)


def test_marking_with_another_articles_revision_is_refused(multilingual):
    _, translation = source_and_translation()
    other = ArticleFactory()
    with pytest.raises(ValueError):
        mark_up_to_date(
            translation=translation, revision=ensure_current(other), user=UserFactory()
        )


def test_a_translation_made_before_bases_follows_the_source_as_it_was(multilingual):
    source, translation = source_and_translation()
    TranslationBase.objects.all().delete()
    later = edit(source, title="Later title")
    later.created_at = translation.created_at + timedelta(minutes=5)
    later.save()
    assert not is_stale(translation)  # no base: nothing to tell
    base = ensure_base(translation)
    assert base.source_revision.version == 1
    assert is_stale(translation)


def test_linking_to_another_source_moves_the_base(multilingual):
    _, translation = source_and_translation()
    other = ArticleFactory(language="en")
    translation.translation_of = other
    translation.save()
    assert translation.translation_base.source_revision.article == other
    assert not is_stale(translation)


def test_sources_are_never_stale(multilingual):
    source, _ = source_and_translation()
    edit(source, title="New")
    assert not is_stale(source)
    assert staleness(source) is None
