"""The demo newsroom is the first thing an evaluator reads: each story's title, summary,
text, photo, regions and topics must tell the same story."""

import json
import re
from collections import defaultdict

import pytest

from articles.regions_data import COUNTRIES
from interchange import demo

RECORDS = json.loads(demo.ARTICLES.read_text(encoding="utf-8"))["articles"]
COUNTRY_NAMES = {code.lower(): name for code, name, _ in COUNTRIES}
MIGRATION = {"Refugees and migrants", "Asylum", "Statelessness"}

# A subject named in a story or its photo, and the topics a story needs to speak of it:
# a Pride march with "a family outside a tent in a camp", or a release about Rohingya
# refugees that demands freedom for "Indigenous land defenders", fails here.
SUBJECTS = {
    r"\bcamps?\b": MIGRATION | {"Humanitarian access"},
    r"\basylum": MIGRATION,
    r"\brefugees?\b": MIGRATION,
    r"\bindigenous\b": {"Indigenous peoples", "Human rights defenders"},
    r"\bdisappear": {"Enforced disappearances", "Impunity"},
    r"\bpride\b|\brainbow\b|\blgbti\b": {"LGBTI rights"},
    r"\briot police\b|\bprotesters?\b": {
        "Freedom of assembly",
        "Police accountability",
        "Climate justice",
    },
    r"\bexecutions?\b|\bdeath penalty\b": {"Death penalty"},
    r"\bspyware\b": {"Digital surveillance"},
    r"\bunions?\b": {"Workers' rights"},
}


def text_of(record):
    photo = record.get("photo", {})
    parts = [record["title"], record["summary"], record.get("body", "")]
    parts += [photo.get("alt_text", ""), photo.get("caption", "")]
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record["slug"])
def test_what_a_story_speaks_of_is_among_its_topics(record):
    text = text_of(record).lower()
    for pattern, topics in SUBJECTS.items():
        if re.search(pattern, text):
            assert topics & set(record["topics"]), f"mentions {pattern!r}"


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record["slug"])
def test_a_story_names_a_country_it_is_filed_under(record):
    countries = [COUNTRY_NAMES[code] for code in record["regions"] if code in COUNTRY_NAMES]
    if countries:
        assert any(name in text_of(record) for name in countries), countries


def test_a_photo_file_has_one_description():
    """The importer makes one photo of one file: a second description would be lost, and
    the story it was written for would show the first."""
    descriptions = defaultdict(set)
    for record in RECORDS:
        if photo := record.get("photo"):
            descriptions[photo["file"]].add((photo["alt_text"], photo["caption"], photo["credit"]))
    assert {file: texts for file, texts in descriptions.items() if len(texts) > 1} == {}


def test_a_photo_is_shared_only_by_stories_on_one_subject():
    users = defaultdict(list)
    for record in RECORDS:
        if photo := record.get("photo"):
            users[photo["file"]].append(record)
    for file, records in users.items():
        shared = set.intersection(*(set(record["topics"]) for record in records))
        assert shared, f"{file} illustrates unrelated stories"


def test_the_rohingya_release_is_about_the_rohingya():
    record = next(r for r in RECORDS if r["slug"] == "rohingya-refugees-funding-cuts")
    assert {"asia-pacific", "mm", "bd"} <= set(record["regions"])
    text = text_of(record)
    assert "Rohingya" in record["photo"]["alt_text"] and "Rohingya" in text
    assert "Indigenous" not in text and "land defenders" not in text
