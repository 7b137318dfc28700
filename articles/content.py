"""What an article's content is: the one list of its fields that revisions, the stale-save
guard, the importer and the exporter read.

A field added to ``Article`` belongs either here or in ``NOT_CONTENT`` (with why);
``tests/articles/test_content_fields.py`` fails until it is in one of them. Here, it is
kept in every revision (so an edit of it is a new version and a stale save of it is
refused), compared field by field, imported and exported.
"""

from typing import NamedTuple


class ContentField(NamedTuple):
    name: str  # the model field
    label: str  # as the revisions' comparison names it
    kind: str  # how a revision keeps and compares it: text, html, choice, value, time, ref, list
    # Its key in the interchange format ("newsroom-articles/1", DESIGN.md "import format"),
    # which must not change; None when the format does not carry it.
    key: str | None


# In the order the revisions' comparison shows them.
CONTENT_FIELDS = (
    ContentField("title", "Title", "text", "title"),
    ContentField("summary", "Summary", "text", "summary"),
    ContentField("body", "Body", "html", "body"),
    ContentField("kind", "Kind", "choice", "kind"),
    ContentField("slug", "Slug", "value", "slug"),
    ContentField("status", "Status", "choice", "status"),
    ContentField("published_at", "Publication time", "time", "published_at"),
    ContentField(
        "substantively_updated_at",
        "Last substantively updated",
        "time",
        "substantively_updated_at",
    ),
    ContentField("regions", "Regions", "list", "regions"),
    ContentField("topics", "Topics", "list", "topics"),
    # The format carries the photo itself (file, texts, rights) under "photo".
    ContentField("hero_photo", "Photo", "ref", "photo"),
    ContentField("hero_caption", "Caption", "text", "hero_caption"),
    ContentField("attachments", "Attachments", "list", "attachments"),
    ContentField("related", "Related articles", "list", "related"),
    # Spokespeople are this newsroom's press office: another newsroom has other ones.
    ContentField("spokespeople", "Spokespeople", "list", None),
    ContentField("reference_number", "Reference number", "value", "reference_number"),
)

# Editable fields of ``Article`` that are not content, and why.
NOT_CONTENT = {
    # The workflow's bookkeeping: changed only by its buttons (desk.workflow), recorded
    # as transitions, never restored from a revision nor carried between newsrooms.
    "review_state": "review state",
    # Chosen when the article is made (a version in another language is another
    # article) and never restored from a revision; the interchange format carries both
    # under keys of their own ("language", "translation_of").
    "language": "language",
    "translation_of": "translation group",
}

# Whether and when an article is public is decided by publishing: loading an old version
# into the editor, or a pending version, never changes these.
PUBLICATION_FIELDS = frozenset({"status", "published_at", "substantively_updated_at"})


def content_field(name: str) -> ContentField:
    return next(field for field in CONTENT_FIELDS if field.name == name)
