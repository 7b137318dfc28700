"""Public notes in the interchange format: checked, imported, and imported again."""

from datetime import UTC, datetime

import pytest

from articles.models import Article, ArticleNote
from desk.corrections import article_record_change
from interchange import ImportFailed, import_articles
from tests.interchange.test_import import bundle, full_record, statement  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CORRECTION = {
    "kind": "correction",
    "text": "An earlier version said 36; it is 63.",
    "published_at": "2017-06-16T10:00:00-04:00",
}


def stored_notes(slug):
    return [
        (note.kind, note.text, note.published_at)
        for note in Article.objects.get(slug=slug).notes.all()
    ]


def test_notes_are_imported(bundle):  # noqa: F811 - the fixture
    update = {"kind": "update", "text": "Presented to Congress.", "published_at": "2017-07-01"}

    import_articles(path=bundle([full_record(notes=[CORRECTION, update]), statement()]))

    assert stored_notes("facing-walls") == [
        ("correction", CORRECTION["text"], datetime(2017, 6, 16, 14, tzinfo=UTC)),
        ("update", "Presented to Congress.", datetime(2017, 7, 1, 4, tzinfo=UTC)),
    ]
    assert stored_notes("walls-statement") == []


def test_importing_the_same_notes_again_changes_nothing(bundle):  # noqa: F811
    path = bundle([full_record(notes=[CORRECTION]), statement()])
    import_articles(path=path)
    ids = list(ArticleNote.objects.values_list("pk", flat=True))

    result = import_articles(path=path)

    assert (result.updated, result.unchanged) == (0, 2)
    assert list(ArticleNote.objects.values_list("pk", flat=True)) == ids


def test_changed_notes_update_the_article(bundle):  # noqa: F811
    import_articles(path=bundle([full_record(notes=[CORRECTION]), statement()]))
    fixed = {**CORRECTION, "text": "An earlier version said 36; the figure is 63."}

    result = import_articles(path=bundle([full_record(notes=[fixed]), statement()]))

    assert (result.updated, result.unchanged) == (1, 1)
    assert [text for _, text, _ in stored_notes("facing-walls")] == [fixed["text"]]

    result = import_articles(path=bundle([full_record(), statement()]))

    assert result.updated == 1
    assert stored_notes("facing-walls") == []


def test_every_bad_note_is_reported_with_its_record(bundle):  # noqa: F811
    limit = ArticleNote._meta.get_field("text").max_length
    notes = [
        {"kind": "retraction", "text": "x", "published_at": "2017-06-16"},
        {"kind": "correction", "text": "", "published_at": "2017-06-16"},
        {"kind": "update", "text": "y" * (limit + 1), "published_at": "2017-06-16"},
        {"kind": "correction", "text": "z", "published_at": "1066-10-14"},
        {"kind": "correction", "text": "z"},
        {"kind": "correction", "text": "z", "published_at": "2017-06-16", "by": "me"},
        "a correction",
    ]

    with pytest.raises(ImportFailed) as failure:
        import_articles(path=bundle([full_record(notes=notes), statement(notes="nope")]))

    errors = failure.value.errors
    assert any(
        e.startswith("record 1 (facing-walls): notes[0].kind: 'retraction' is not one of")
        for e in errors
    )
    assert "record 1 (facing-walls): notes[1].text: must not be empty" in errors
    assert any(e.startswith("record 1 (facing-walls): notes[2].text: longer than") for e in errors)
    assert any(e.startswith("record 1 (facing-walls): notes[3].published_at:") for e in errors)
    assert "record 1 (facing-walls): notes[4].published_at: required" in errors
    assert "record 1 (facing-walls): notes[5].by: unknown field" in errors
    assert any(
        e.startswith("record 1 (facing-walls): notes[6]: must be an object") for e in errors
    )
    assert "record 2 (walls-statement): notes: must be a list" in errors
    assert not Article.objects.exists()
    assert not ArticleNote.objects.exists()


def test_a_reserved_slug_is_refused(bundle):  # noqa: F811
    with pytest.raises(ImportFailed) as failure:
        import_articles(path=bundle([full_record(slug="corrections", related=[])]))

    assert any("'corrections' is reserved" in e for e in failure.value.errors)


def test_a_title_making_a_reserved_slug_gets_another(bundle):  # noqa: F811
    record = full_record(title="Corrections", related=[])
    del record["slug"]

    import_articles(path=bundle([record]))

    assert Article.objects.get().slug == "corrections-2"


class TestUpdatedLine:
    """A public note says the article changed: "Updated <date>" under its date, by the
    same rule whether the note came from the admin or from an import."""

    def test_an_imported_update_says_updated_under_the_date(self, bundle, client):  # noqa: F811
        update = {"kind": "update", "text": "Presented to Congress.", "published_at": "2017-07-02"}
        import_articles(path=bundle([full_record(notes=[update]), statement()]))

        html = client.get("/news/facing-walls/").content.decode()

        assert '<span class="article__updated">Updated <time' in html
        assert ">July 2, 2017</time>" in html
        assert "Updated" not in client.get("/news/walls-statement/").content.decode()

    def test_the_latest_note_wins_unless_the_record_names_a_later_time(self, bundle):  # noqa: F811
        update = {"kind": "update", "text": "Presented.", "published_at": "2017-07-02T12:00:00Z"}
        import_articles(path=bundle([full_record(notes=[CORRECTION, update]), statement()]))
        assert Article.objects.get(slug="facing-walls").substantively_updated_at == datetime(
            2017, 7, 2, 12, tzinfo=UTC
        )

        later = full_record(notes=[update], substantively_updated_at="2017-08-01T00:00:00Z")
        import_articles(path=bundle([later, statement()]))
        assert Article.objects.get(slug="facing-walls").substantively_updated_at == datetime(
            2017, 8, 1, tzinfo=UTC
        )

    def test_the_rule_is_the_admins(self, editor, bundle):  # noqa: F811
        """The admin route: a published update sets the "Updated" time to the note's."""
        import_articles(path=bundle([full_record(), statement()]))
        article = Article.objects.get(slug="facing-walls")
        note = article_record_change(user=editor, article=article, kind="update", text="More.")
        article.refresh_from_db()
        assert article.substantively_updated_at == note.published_at
