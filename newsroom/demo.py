"""Made-up newsroom content in the interchange format, for demos and benchmarks.

Everything here is generated from a seed and the phrase banks below: no external data,
no real people. ``manage.py seed_demo`` writes the hand-written ``DEMO_ARTICLES`` (with
generated bodies) and ``bench/generate.py`` writes any number of generated articles; both
then go through the real importer.

This module imports nothing from Django so that the benchmark generator can run without
a configured project.
"""

import json
import random
import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw

from articles.regions_data import COUNTRIES, GROUPINGS

FORMAT = "newsroom-articles/1"

TOPICS = [
    "Refugees and migrants",
    "Asylum",
    "Freedom of expression",
    "Freedom of assembly",
    "Human rights defenders",
    "Torture and ill-treatment",
    "Death penalty",
    "Enforced disappearances",
    "Arbitrary detention",
    "Unlawful killings",
    "Armed conflict",
    "Arms control",
    "Women's rights",
    "Sexual and reproductive rights",
    "LGBTI rights",
    "Children's rights",
    "Indigenous peoples",
    "Discrimination",
    "Racial justice",
    "Religious freedom",
    "Police accountability",
    "Prison conditions",
    "Fair trial",
    "Press freedom",
    "Digital surveillance",
    "Technology and human rights",
    "Climate justice",
    "Housing rights",
    "Forced evictions",
    "Right to health",
    "Right to education",
    "Workers' rights",
    "Business and human rights",
    "Corporate accountability",
    "International justice",
    "Impunity",
    "Counter-terrorism",
    "Statelessness",
    "Humanitarian access",
    "Prisoners of conscience",
]
MIGRATION_TOPICS = {"Refugees and migrants", "Asylum", "Statelessness"}

GROUPS = [
    "student activists",
    "journalists",
    "trade unionists",
    "environmental defenders",
    "women human rights defenders",
    "peaceful protesters",
    "community leaders",
    "lawyers",
    "asylum-seekers",
    "Indigenous land defenders",
    "LGBTI activists",
    "opposition supporters",
    "health workers",
    "teachers",
    "bloggers",
]
AUTHORITIES = [
    "the authorities",
    "the government",
    "security forces",
    "the police",
    "the military",
    "the interior ministry",
    "prosecutors",
    "border officials",
]
RIGHTS = [
    "freedom of expression",
    "the right to peaceful assembly",
    "the right to asylum",
    "the right to a fair trial",
    "the right to privacy",
    "the right to protest",
    "the right to adequate housing",
    "access to health care",
    "the right to education",
]
PLACES = ["the capital", "a northern province", "border towns", "the coastal region",
          "rural districts", "detention centres", "informal settlements", "the south"]  # fmt: skip

TITLE_TEMPLATES = {
    "press-release": [
        "{country}: Authorities must release {group} detained for {action}",
        "{country}: New law threatens {right}",
        "{country}: Stop the crackdown on {group}",
        "{country}: End the use of excessive force against {group}",
        "{country}: Investigate killings of {group} in {place}",
        "{country}: Court ruling a victory for {group}",
        "{country}: Halt forced returns of asylum-seekers",
        "{country}: Families of the disappeared demand answers",
        "{country}: Release prisoners of conscience now",
        "{country}: Victory as {group} are freed after {months} months",
        "{country}: Draft bill would criminalize {action}",
        "{country}: Mass arrests ahead of elections must end",
    ],
    "report": [
        "Facing walls: {topic_lower} in {country}",
        "'{quote}': {topic} in {country}",
        "Silenced: the campaign against {group} in {country}",
        "Nowhere safe: {topic_lower} across {region}",
        "Behind closed doors: {topic_lower} in {country}",
        "Caught in the middle: {group} in {place} of {country}",
        "A decade of impunity: {topic_lower} in {country}",
        "Left behind: {topic_lower} and the right to asylum in {country}",
    ],
    "statement": [
        "Statement on the situation of {group} in {country}",
        "Joint statement: {country} must protect {group}",
        "Open letter to the authorities of {country} on {topic_lower}",
        "{country}: Response to the government's announcement on {topic_lower}",
        "Statement ahead of the UN review of {country}",
    ],
}
ACTIONS = ["peaceful protest", "social media posts", "reporting on corruption",
           "organizing a strike", "documenting abuses", "defending land rights",
           "offering legal aid"]  # fmt: skip
QUOTES = ["We just want to live in safety", "They took him at night",
          "No one listened to us", "I had nowhere else to go", "We will not be silenced",
          "Where is my daughter?"]  # fmt: skip

SUMMARY_SENTENCES = [
    "{authority_cap} in {country} must immediately and unconditionally release {group} held "
    "solely for exercising {right}, the organization said today.",
    "The {month} arrests are part of a wider pattern of intimidation targeting {group} "
    "across {place}.",
    "Witnesses described how {authority} used batons, tear gas and live ammunition against "
    "crowds that were overwhelmingly peaceful.",
    "Since {year}, dozens of {group} have been detained without charge, many of them held "
    "incommunicado for weeks.",
    "The organization interviewed more than {number} people, including survivors, relatives "
    "and lawyers, and reviewed photographs, videos and court documents.",
    "The findings show that {authority} have repeatedly ignored court orders and "
    "international obligations.",
    "Instead of silencing critics, the government should be listening to them and "
    "addressing their legitimate concerns.",
    "The international community must not look away while {right} is eroded step by step.",
    "Families say they have received no information about where their relatives are being "
    "held or whether they have access to a lawyer.",
    "The new measures would give {authority} sweeping powers with little judicial oversight.",
]
MIGRATION_SENTENCES = [
    "People seeking asylum have been pushed back at the border without any assessment of "
    "their protection needs.",
    "Asylum-seekers, including families with young children, are held in overcrowded "
    "facilities for months.",
    "Denying people the right to seek asylum puts lives at risk and breaches international law.",
    "Refugees and migrants told researchers they had been beaten, robbed and forcibly returned.",
]
BODY_SENTENCES = [
    *SUMMARY_SENTENCES,
    "In {month} {year}, a delegation visited {place} and met representatives of local "
    "organizations who described a climate of fear.",
    "“{quote},” said one relative, who asked not to be named for fear of reprisals.",
    "Several of those detained reported being denied medical care and access to their families.",
    "Lawyers representing the detainees said they were prevented from reviewing the case "
    "files before hearings.",
    "The organization wrote to {authority} on {number} occasions requesting information but "
    "received no reply.",
    "Under international human rights law, restrictions on {right} must be necessary and "
    "proportionate.",
    "The authorities should ensure prompt, thorough, independent and impartial "
    "investigations, and bring those suspected of responsibility to justice in fair trials.",
    "Human rights defenders play a vital role and must be able to carry out their work "
    "without harassment.",
    "Local groups have documented at least {number} cases since the beginning of the year.",
    "Many of those affected belong to communities that have long faced discrimination.",
    "The organization is calling on supporters to write to the authorities urging them to act.",
    "Donor governments should make clear that continued support depends on respect for "
    "human rights.",
]
HEADINGS = ["Background", "What we found", "Testimonies", "Recommendations",
            "The legal framework", "Next steps", "Take action"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

CREDITS = ["Photo by A. Rivera / Agency", "Photo by K. Mensah / Newsroom", "Photo by the "
           "organization", "Photo by L. Haddad / Collective", "Photo by M. Novak / Press Pool",
           "Photo by S. Tanaka / Agency"]  # fmt: skip
PHOTO_SCENES = [
    ("People hold placards at a peaceful demonstration", "Demonstrators gather in {place}."),
    ("A family sits outside a tent in a camp", "A family waits for news in a camp in {place}."),
    ("A line of riot police faces a crowd", "Police deploy during a protest in {place}."),
    ("Candles and photographs at a vigil", "A vigil for the disappeared in {place}."),
    ("A lawyer speaks to reporters outside a courthouse", "Outside the court in {place}."),
    ("Volunteers hand out water at a border crossing", "Volunteers at a crossing in {place}."),
    ("A fence topped with razor wire", "The border fence near {place}."),
    ("Women march holding a long banner", "A march for women's rights in {place}."),
]

START = date(2010, 1, 1)
END = date(2026, 10, 31)
# Newsroom time: the importer reads these offsets and stores UTC.
OFFSETS = ["-05:00", "-04:00"]

# Outside migration stories, asylum is not mentioned: keeps searches for it realistic.
_GROUPS_NOT_ASYLUM = [g for g in GROUPS if "asylum" not in g]
_RIGHTS_NOT_ASYLUM = [r for r in RIGHTS if "asylum" not in r]
# Territories without a settled population make implausible headlines.
_UNINHABITED = {"AQ", "BV", "HM", "TF", "GS", "UM", "IO", "PN", "CC", "CX", "NF", "TK", "AX", "SJ"}
_COUNTRIES_BY_GROUPING = {}
for _code, _name, _grouping in COUNTRIES:
    if _code in _UNINHABITED:
        continue
    _COUNTRIES_BY_GROUPING.setdefault(_grouping, []).append((_code, _name))
_GROUPING_NAMES = {slug: name for slug, name, _ in GROUPINGS}
_REPORT_CODES = {slug: code for slug, _, code in GROUPINGS}
# How often each grouping is covered: heavier for the Americas, as in a US newsroom.
_GROUPING_WEIGHTS = {
    "americas": 30,
    "africa": 20,
    "asia-pacific": 18,
    "europe-central-asia": 17,
    "middle-east-north-africa": 15,
}


def slugify(text):
    """Django's slugify, repeated here so that this module needs no Django settings."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


# --- files ----------------------------------------------------------------------------


def make_photo(path, *, seed, size=(1200, 800), gps=False, quality=80):
    """A JPEG of coloured shapes over a gradient; with ``gps`` it carries EXIF location.

    The GPS tags show that metadata is stripped: neither the stored original nor any
    rendition keeps them.
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, nothing secret
    width, height = size
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(20, 200) for _ in range(3))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        color = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=color)
    for _ in range(rng.randrange(4, 12)):
        color = tuple(rng.randrange(256) for _ in range(3))
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = x0 + rng.randrange(width // 10, width // 2)
        y1 = y0 + rng.randrange(height // 10, height // 2)
        shape = rng.choice(["ellipse", "rectangle", "polygon"])
        if shape == "ellipse":
            draw.ellipse([x0, y0, x1, y1], fill=color)
        elif shape == "rectangle":
            draw.rectangle([x0, y0, x1, y1], fill=color)
        else:
            draw.polygon([(x0, y0), (x1, y0 + rng.randrange(50)), (x0, y1)], fill=color)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Newsroom demo camera"
    if gps:
        location = exif.get_ifd(ExifTags.IFD.GPSInfo)
        location[ExifTags.GPS.GPSLatitudeRef] = "N"
        location[ExifTags.GPS.GPSLatitude] = (32.0, 32.0, float(rng.randrange(60)))
        location[ExifTags.GPS.GPSLongitudeRef] = "W"
        location[ExifTags.GPS.GPSLongitude] = (117.0, 2.0, float(rng.randrange(60)))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=quality, exif=exif)
    return path


def make_pdf(path, *, title, lines=()):
    """A small, valid one-page PDF showing ``title`` and a few lines of text."""

    def escape(text):
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 20 Tf 72 740 Td ({escape(title[:60])}) Tj ET"]
    for i, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 72 {700 - 16 * i} Td ({escape(line[:90])}) Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


# --- text -----------------------------------------------------------------------------


@dataclass
class _Context:
    """What one article is about, for filling the phrase templates."""

    country: str
    region: str
    group: str
    authority: str
    right: str
    place: str
    topic: str
    year: int
    migration: bool

    def fill(self, template, rng):
        return template.format(
            country=self.country,
            region=self.region,
            group=self.group,
            authority=self.authority,
            authority_cap=self.authority[0].upper() + self.authority[1:],
            right=self.right,
            place=self.place,
            topic=self.topic,
            topic_lower=self.topic[0].lower() + self.topic[1:],
            year=self.year - rng.randrange(0, 4),
            month=rng.choice(MONTHS),
            number=rng.randrange(3, 250),
            quote=rng.choice(QUOTES),
            action=rng.choice(ACTIONS),
            months=rng.randrange(2, 30),
        )


def _sentences(rng, context, bank, min_words, max_words):
    """Sentences totalling between min_words and max_words, none repeated back to back."""
    target = rng.randrange(min_words, max_words + 1)
    words, out = 0, []
    while words < target:
        pool = bank
        if context.migration and rng.random() < 0.35:
            pool = MIGRATION_SENTENCES
        sentence = context.fill(rng.choice(pool), rng)
        if out and sentence == out[-1]:
            continue
        length = sentence.count(" ") + 1
        if words + length > max_words and words >= min_words:
            break
        out.append(sentence)
        words += length
    return out


def summary_text(rng, context):
    """40-120 words of plain text."""
    return " ".join(_sentences(rng, context, SUMMARY_SENTENCES, 40, 120))


def body_html(rng, context, *, min_words=300, max_words=900):
    """Several paragraphs of HTML, with headings, a quotation and a list."""
    sentences = _sentences(rng, context, BODY_SENTENCES, min_words, max_words)
    parts, i = [], 0
    headings = rng.sample(HEADINGS, k=3)
    while i < len(sentences):
        size = rng.randrange(3, 6)
        paragraph = " ".join(sentences[i : i + size])
        i += size
        if headings and rng.random() < 0.3:
            parts.append(f"<h2>{headings.pop()}</h2>")
        if parts and rng.random() < 0.08:
            parts.append(f"<blockquote><p>{paragraph}</p></blockquote>")
        else:
            parts.append(f"<p>{paragraph}</p>")
    parts.append(
        "<ul><li>Release everyone detained solely for peacefully exercising their "
        "rights.</li><li>Investigate every allegation of abuse.</li><li>Guarantee "
        f"{context.right} for all.</li></ul>"
    )
    parts.append(
        '<p>Read more about our work on <a href="https://www.example.org/campaigns">'
        "our campaigns</a>.</p>"
    )
    return "".join(parts)


# --- generated articles ---------------------------------------------------------------


def _when(rng, start=START, end=END):
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    hour, minute = rng.choice([(0, 1), (6, 0), (9, 0), (10, 30), (12, 0), (15, 45), (23, 59)])
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{rng.choice(OFFSETS)}", day.year


def _photo_meta(index, rng):
    alt, caption = PHOTO_SCENES[index % len(PHOTO_SCENES)]
    return {
        "alt_text": alt,
        "caption": caption.format(place=rng.choice(PLACES)),
        "credit": CREDITS[index % len(CREDITS)],
    }


def generate_articles(*, count, seed, photo_files=(), pdf_files=()):
    """Yield ``count`` article records of the interchange format, the same for one seed.

    Press releases make up most, then reports (with reference numbers, often a PDF) and
    statements; about 2% are drafts and about 0.2% are scheduled after ``END``. Regions
    are a grouping and one to three of its countries; topics two to four of ``TOPICS``.
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, nothing secret
    photo_meta = [
        _photo_meta(i, random.Random(seed * 7919 + i))  # noqa: S311
        for i in range(len(photo_files))
    ]
    groupings = list(_GROUPING_WEIGHTS)
    weights = list(_GROUPING_WEIGHTS.values())
    slugs_seen = set()
    slugs_recent = []
    for _ in range(count):
        kind = rng.choices(["press-release", "report", "statement"], weights=[62, 22, 16])[0]
        grouping = rng.choices(groupings, weights=weights)[0]
        countries = rng.sample(_COUNTRIES_BY_GROUPING[grouping], k=rng.randrange(1, 4))
        topics = rng.sample(TOPICS, k=rng.randrange(2, 5))
        migration = bool(MIGRATION_TOPICS & set(topics)) or rng.random() < 0.05
        published_at, year = _when(rng)
        status = "draft" if rng.random() < 0.02 else "published"
        if kind != "report" and rng.random() < 0.002:
            published_at, year = _when(rng, date(2027, 1, 1), date(2027, 6, 30))
        context = _Context(
            country=countries[0][1],
            region=_GROUPING_NAMES[grouping],
            group=rng.choice(GROUPS if migration else _GROUPS_NOT_ASYLUM),
            authority=rng.choice(AUTHORITIES),
            right=rng.choice(RIGHTS if migration else _RIGHTS_NOT_ASYLUM),
            place=rng.choice(PLACES),
            topic=topics[0],
            year=year,
            migration=migration,
        )
        templates = TITLE_TEMPLATES[kind]
        if not migration:
            templates = [t for t in templates if "asylum" not in t]
        title = context.fill(rng.choice(templates), rng)
        base = slugify(title)[:80].strip("-")
        slug = base
        n = 1
        while slug in slugs_seen:
            n += 1
            slug = f"{base}-{n}"
        slugs_seen.add(slug)
        record = {
            "slug": slug,
            "kind": kind,
            "title": title,
            "summary": summary_text(rng, context),
            "body": body_html(rng, context),
            "published_at": published_at,
            "status": status,
            "regions": [grouping]
            + [code.lower() if rng.random() < 0.5 else code for code, _ in countries],
            "topics": topics,
        }
        if kind == "report":
            record["reference_number"] = (
                f"{_REPORT_CODES[grouping]} {rng.randrange(10, 100)}/"
                f"{rng.randrange(1000, 10000)}/{year}"
            )
            if pdf_files and rng.random() < 0.6:
                record["attachments"] = [
                    {"file": rng.choice(pdf_files), "title": "Full report", "language": "en"}
                ]
        if photo_files and rng.random() < 0.85:
            which = rng.randrange(len(photo_files))
            record["photo"] = {"file": photo_files[which], **photo_meta[which]}
        if slugs_recent and rng.random() < 0.3:
            record["related"] = sorted(
                set(rng.sample(slugs_recent, k=min(len(slugs_recent), rng.randrange(1, 3))))
            )
        slugs_recent.append(slug)
        if len(slugs_recent) > 50:
            slugs_recent.pop(0)
        yield record


def write_bundle(*, out, count, photos, seed, pdfs=5, progress=None):
    """Write ``articles.json``, ``images/`` and ``docs/`` into ``out``; return the JSON path.

    One photo in ten carries EXIF GPS tags.
    """
    out = Path(out)
    photo_files = []
    for i in range(photos):
        relative = f"images/photo-{i + 1:05d}.jpg"
        make_photo(out / relative, seed=seed * 100_003 + i, gps=i % 10 == 0)
        photo_files.append(relative)
    pdf_files = []
    for i in range(pdfs):
        relative = f"docs/report-{i + 1:03d}.pdf"
        make_pdf(out / relative, title=f"Report {i + 1}", lines=[SUMMARY_SENTENCES[i % 10]])
        pdf_files.append(relative)
    path = out / "articles.json"
    records = generate_articles(
        count=count, seed=seed, photo_files=photo_files, pdf_files=pdf_files
    )
    write_document(path, records, progress=progress)
    return path


def write_document(path, records, *, progress=None):
    """Write records as one interchange document, one record per line."""
    with Path(path).open("w", encoding="utf-8") as fh:
        fh.write('{"format": ' + json.dumps(FORMAT) + ',\n "articles": [')
        for i, record in enumerate(records):
            fh.write(",\n  " if i else "\n  ")
            fh.write(json.dumps(record, ensure_ascii=False))
            if progress:
                progress(1)
        fh.write("\n ]}\n")


def stable_seed(text):
    """A seed that is the same on every run and machine (``hash()`` is not)."""
    return zlib.crc32(text.encode("utf-8"))


def now_utc():
    return datetime.now(UTC)


# --- the demo newsroom (manage.py seed_demo) ------------------------------------------

# (slug, kind, date, title, summary, regions, topics); fictional events, no real people.
DEMO_ARTICLES = [
    (
        "facing-walls-asylum-seekers-at-the-border",
        "report",
        "2017-06-15",
        "Facing walls: how border policies push asylum-seekers into danger",
        "An already dangerous journey has become even more perilous. Our researchers spoke to "
        "more than 100 people who were turned back at the border without any assessment of "
        "their asylum claims, and to the shelters and lawyers trying to help them.",
        ["americas", "mx", "us"],
        ["Refugees and migrants", "Asylum"],
    ),
    (
        "release-student-protesters-held-since-march",
        "press-release",
        "2026-03-12",
        "Nicaragua: Release the student protesters held since March",
        "Twelve students arrested after a peaceful sit-in at their university remain in "
        "detention without charge. Their families have not been allowed to visit them and fear "
        "for their health.",
        ["americas", "ni"],
        ["Freedom of assembly", "Arbitrary detention", "Prisoners of conscience"],
    ),
    (
        "victory-court-strikes-down-foreign-agents-law",
        "press-release",
        "2025-11-04",
        "Victory: Court strikes down law that branded NGOs 'foreign agents'",
        "The Constitutional Court has annulled a law that would have forced organizations "
        "receiving funds from abroad to register as foreign agents, a decision that protects "
        "hundreds of groups defending human rights.",
        ["europe-central-asia", "ge"],
        ["Freedom of expression", "Human rights defenders"],
    ),
    (
        "nowhere-safe-women-defenders-in-the-sahel",
        "report",
        "2024-09-18",
        "Nowhere safe: attacks on women human rights defenders in the Sahel",
        "Women who document abuses by armed groups and security forces face threats, sexual "
        "violence and abduction. This report draws on 64 interviews and calls for protection "
        "mechanisms that actually reach them.",
        ["africa", "ml", "bf", "ne"],
        ["Women's rights", "Human rights defenders", "Armed conflict"],
    ),
    (
        "statement-un-review-of-egypt",
        "statement",
        "2024-11-02",
        "Statement ahead of the UN review of Egypt's human rights record",
        "As states prepare to review Egypt's record, we urge them to press for the release of "
        "everyone detained for peaceful dissent and for an end to prolonged pre-trial detention.",
        ["middle-east-north-africa", "eg"],
        ["Arbitrary detention", "Fair trial"],
    ),
    (
        "end-forced-evictions-in-lagos-waterfront",
        "press-release",
        "2023-04-27",
        "Nigeria: End forced evictions of waterfront communities",
        "Thousands of residents of waterfront settlements were given three days' notice before "
        "bulldozers arrived. Authorities must halt demolitions and provide adequate alternative "
        "housing and compensation.",
        ["africa", "ng"],
        ["Forced evictions", "Housing rights"],
    ),
    (
        "spyware-targets-journalists-investigation",
        "report",
        "2023-07-19",
        "Exposed: spyware used against journalists and their sources",
        "Our forensic investigation found traces of commercial spyware on the phones of "
        "eleven journalists. Governments must stop the sale and use of such tools until "
        "human rights safeguards are in place.",
        ["asia-pacific", "in", "id"],
        ["Digital surveillance", "Press freedom", "Technology and human rights"],
    ),
    (
        "death-penalty-figures-2022",
        "report",
        "2023-05-16",
        "Death sentences and executions in 2022: a global overview",
        "Recorded executions rose sharply last year, driven by a handful of countries, while "
        "more states than ever have abolished the death penalty in law or practice.",
        ["asia-pacific", "middle-east-north-africa", "ir", "sa", "sg"],
        ["Death penalty"],
    ),
    (
        "pushbacks-aegean-sea-must-stop",
        "press-release",
        "2022-10-06",
        "Greece: Pushbacks at sea put lives of asylum-seekers at risk",
        "Survivors describe being forced back onto dinghies and left adrift. European "
        "institutions must investigate and ensure that people can claim asylum safely.",
        ["europe-central-asia", "gr", "tr"],
        ["Refugees and migrants", "Asylum"],
    ),
    (
        "joint-statement-protect-civic-space-kenya",
        "statement",
        "2024-07-01",
        "Joint statement: Kenya must protect people exercising their right to protest",
        "Together with 23 civil society organizations, we call on the authorities to end the "
        "use of lethal force against protesters and to investigate every death.",
        ["africa", "ke"],
        ["Freedom of assembly", "Police accountability", "Unlawful killings"],
    ),
    (
        "disappeared-families-demand-answers",
        "press-release",
        "2021-08-30",
        "Mexico: Families of the disappeared deserve truth and justice",
        "On the International Day of the Victims of Enforced Disappearances, mothers searching "
        "for their children describe years of inaction. The state must search, identify and "
        "prosecute.",
        ["americas", "mx"],
        ["Enforced disappearances", "Impunity"],
    ),
    (
        "indigenous-land-defenders-under-attack-brazil",
        "report",
        "2022-03-22",
        "Defending the forest: attacks on Indigenous land defenders in Brazil",
        "Illegal logging and mining are spreading into protected territories, and those who "
        "resist them are threatened and killed. Authorities must demarcate lands and protect "
        "defenders.",
        ["americas", "br"],
        ["Indigenous peoples", "Human rights defenders", "Climate justice"],
    ),
    (
        "release-blogger-sentenced-for-posts",
        "press-release",
        "2020-02-14",
        "Viet Nam: Release blogger sentenced to nine years for Facebook posts",
        "A blogger who wrote about land confiscations has been sentenced after a trial that "
        "lasted less than a day. He is a prisoner of conscience and must be freed.",
        ["asia-pacific", "vn"],
        ["Freedom of expression", "Prisoners of conscience"],
    ),
    (
        "statement-on-anti-lgbti-bill",
        "statement",
        "2023-03-22",
        "Uganda: Statement on the anti-homosexuality bill",
        "The bill passed by parliament would criminalize people simply for who they are. "
        "We urge the president not to sign it into law.",
        ["africa", "ug"],
        ["LGBTI rights", "Discrimination"],
    ),
    (
        "healthcare-workers-detained-yemen",
        "press-release",
        "2019-12-03",
        "Yemen: Release health workers detained by armed groups",
        "Doctors and nurses have been held for months for treating the wounded regardless of "
        "which side they were on. Medical neutrality must be respected.",
        ["middle-east-north-africa", "ye"],
        ["Armed conflict", "Right to health", "Humanitarian access"],
    ),
    (
        "arms-transfers-fuel-violations",
        "report",
        "2021-05-11",
        "Deadly exports: arms transfers fuelling violations in armed conflict",
        "Weapons sold by several states continue to be used in attacks on homes, schools and "
        "hospitals. Exporting states must suspend transfers that risk serious violations.",
        ["middle-east-north-africa", "europe-central-asia", "ye", "fr", "gb"],
        ["Arms control", "Armed conflict"],
    ),
    (
        "teachers-union-leaders-arrested",
        "press-release",
        "2022-05-01",
        "Iran: Teachers' union leaders arrested ahead of May Day",
        "At least eight union leaders were arrested in dawn raids days before planned "
        "gatherings. They must be released and allowed to organize peacefully.",
        ["middle-east-north-africa", "ir"],
        ["Workers' rights", "Freedom of assembly"],
    ),
    (
        "climate-activists-face-jail",
        "press-release",
        "2024-02-20",
        "Climate activists face jail under new protest law",
        "Young people who blocked a road for 40 minutes now face up to two years in prison. "
        "Peaceful protest is a right, not a crime.",
        ["europe-central-asia", "gb"],
        ["Climate justice", "Freedom of assembly"],
    ),
    (
        "rohingya-refugees-funding-cuts",
        "press-release",
        "2025-03-14",
        "Bangladesh: Aid cuts leave Rohingya refugees without enough food",
        "Ration cuts in the camps are already causing malnutrition among children. Donors "
        "must restore funding and the authorities must allow refugees to work.",
        ["asia-pacific", "bd", "mm"],
        ["Refugees and migrants", "Children's rights", "Humanitarian access"],
    ),
    (
        "police-violence-investigation-stalled",
        "press-release",
        "2020-09-09",
        "Colombia: Investigations into police violence during protests have stalled",
        "A year after dozens of protesters were killed or injured, not a single senior officer "
        "has been charged. Victims and their families are still waiting for justice.",
        ["americas", "co"],
        ["Police accountability", "Impunity", "Freedom of assembly"],
    ),
    (
        "prison-conditions-overcrowding",
        "report",
        "2019-10-08",
        "Locked up and forgotten: prison conditions in El Salvador",
        "Under a prolonged state of emergency, prisons hold more than twice their capacity. "
        "We documented deaths in custody, denial of medical care and mass trials.",
        ["americas", "sv"],
        ["Prison conditions", "Torture and ill-treatment", "Fair trial"],
    ),
    (
        "journalist-acquitted-victory",
        "press-release",
        "2018-11-22",
        "Victory: Journalist acquitted after two years of trial",
        "A reporter who investigated public procurement has been acquitted of defamation. The "
        "case should never have been brought and the law must be reformed.",
        ["europe-central-asia", "az"],
        ["Press freedom", "Freedom of expression"],
    ),
    (
        "open-letter-on-counter-terror-law",
        "statement",
        "2018-04-10",
        "Open letter on the draft counter-terrorism law",
        "The draft law's vague definition of terrorism would allow the authorities to "
        "prosecute peaceful critics. We set out ten amendments parliament should adopt.",
        ["asia-pacific", "ph"],
        ["Counter-terrorism", "Freedom of expression"],
    ),
    (
        "stateless-children-denied-school",
        "report",
        "2018-09-05",
        "No papers, no school: stateless children in the Dominican Republic",
        "Children born to parents without documents are turned away from schools and clinics. "
        "The report calls for birth registration for every child born in the country.",
        ["americas", "do", "ht"],
        ["Statelessness", "Right to education", "Children's rights"],
    ),
    (
        "mining-company-must-clean-up",
        "press-release",
        "2019-06-05",
        "Zambia: Mining company must clean up lead pollution",
        "Blood tests show dangerous lead levels in children living near a former mine. The "
        "company and the state must fund clean-up and health care.",
        ["africa", "zm"],
        ["Business and human rights", "Corporate accountability", "Right to health"],
    ),
    (
        "detention-of-asylum-seekers-australia",
        "report",
        "2016-10-17",
        "Island of despair: offshore processing of refugees and asylum-seekers",
        "People who sought protection by boat have been held for years on remote islands. "
        "The report documents self-harm, medical neglect and despair among those held.",
        ["asia-pacific", "au", "nr"],
        ["Refugees and migrants", "Asylum", "Arbitrary detention"],
    ),
    (
        "women-drivers-activists-released",
        "press-release",
        "2016-12-01",
        "Victory: Women's rights activists released on bail",
        "Four activists who campaigned for the right to drive have been released. Charges "
        "against them must now be dropped.",
        ["middle-east-north-africa", "sa"],
        ["Women's rights", "Human rights defenders"],
    ),
    (
        "abortion-rights-law-reform",
        "statement",
        "2020-12-30",
        "Statement welcoming the decriminalization of abortion",
        "The vote is a historic step for sexual and reproductive rights, won by years of "
        "activism. Implementation must ensure access in every province.",
        ["americas", "ar"],
        ["Sexual and reproductive rights", "Women's rights"],
    ),
    (
        "internet-shutdown-elections",
        "press-release",
        "2021-01-13",
        "Uganda: Lift the internet shutdown during elections",
        "Cutting access to the internet on election day prevents people from sharing "
        "information and documenting abuses. Connectivity must be restored immediately.",
        ["africa", "ug"],
        ["Technology and human rights", "Freedom of expression"],
    ),
    (
        "racial-profiling-police-stops",
        "report",
        "2022-06-28",
        "Stopped for who we are: racial profiling in police identity checks",
        "Young Black and Arab men are many times more likely to be stopped by police. The "
        "report calls for stop forms and independent oversight.",
        ["europe-central-asia", "fr"],
        ["Racial justice", "Discrimination", "Police accountability"],
    ),
    (
        "religious-minority-homes-demolished",
        "press-release",
        "2025-06-17",
        "India: Stop punitive demolitions of Muslim homes",
        "Homes and shops have been demolished without notice after communal clashes. Collective "
        "punishment is unlawful and those responsible must be held to account.",
        ["asia-pacific", "in"],
        ["Religious freedom", "Forced evictions", "Discrimination"],
    ),
    (
        "icc-arrest-warrants-welcome",
        "statement",
        "2025-02-24",
        "Statement: international justice must apply to all",
        "States must cooperate with the International Criminal Court and execute its arrest "
        "warrants, whoever the suspect and wherever they travel.",
        ["europe-central-asia", "africa", "nl"],
        ["International justice", "Impunity"],
    ),
    (
        "torture-in-detention-syria-survivors",
        "report",
        "2016-08-18",
        "'It breaks the human': torture and deaths in detention",
        "Former detainees describe beatings, starvation and overcrowding in detention "
        "facilities. Thousands are believed to have died in custody.",
        ["middle-east-north-africa", "sy"],
        ["Torture and ill-treatment", "Enforced disappearances"],
    ),
    (
        "garment-workers-wage-protests",
        "press-release",
        "2024-11-08",
        "Bangladesh: Garment workers must not be punished for wage protests",
        "Dozens of workers have been dismissed and charged after demanding a living wage. "
        "Brands sourcing from these factories must use their leverage.",
        ["asia-pacific", "bd"],
        ["Workers' rights", "Business and human rights"],
    ),
    (
        "migrant-deaths-desert-route",
        "press-release",
        "2025-08-12",
        "Tunisia: Migrants abandoned in the desert must be protected",
        "People from sub-Saharan Africa, including asylum-seekers, were rounded up and left "
        "near the border without water. The expulsions must stop.",
        ["middle-east-north-africa", "africa", "tn", "ly"],
        ["Refugees and migrants", "Asylum", "Racial justice"],
    ),
    (
        "annual-review-americas-2025",
        "report",
        "2026-04-23",
        "The state of human rights in the Americas 2025/26",
        "From mass detention to attacks on the press, the year saw rights eroded across the "
        "region, but also victories won by movements that refused to give up.",
        ["americas"],
        ["Impunity", "Freedom of expression", "Refugees and migrants"],
    ),
    (
        "housing-crisis-evictions-winter",
        "statement",
        "2026-01-15",
        "Statement on winter evictions and the right to housing",
        "No one should be evicted into the cold. We call for a moratorium on evictions during "
        "winter and for investment in social housing.",
        ["europe-central-asia", "hu"],
        ["Housing rights", "Forced evictions"],
    ),
    (
        "lgbti-pride-march-banned",
        "press-release",
        "2026-06-03",
        "Pride march ban is an attack on freedom of assembly",
        "Organizers have been told the march cannot go ahead 'for public safety'. The ban must "
        "be lifted and marchers protected from violence.",
        ["europe-central-asia", "tr"],
        ["LGBTI rights", "Freedom of assembly"],
    ),
]
# Reports with a reference number and a PDF.
DEMO_REFERENCES = {
    "facing-walls-asylum-seekers-at-the-border": "AMR 41/6514/2017",
    "nowhere-safe-women-defenders-in-the-sahel": "AFR 37/8123/2024",
    "spyware-targets-journalists-investigation": "ASA 20/7001/2023",
    "death-penalty-figures-2022": "ACT 50/6548/2023",
    "indigenous-land-defenders-under-attack-brazil": "AMR 19/5310/2022",
    "annual-review-americas-2025": "AMR 01/9120/2026",
}
DEMO_DRAFT = {
    "slug": "draft-detention-monitoring-briefing",
    "kind": "press-release",
    "title": "Draft: New briefing on immigration detention monitoring",
    "summary": "Embargoed briefing on independent monitoring of immigration detention "
    "centres. Not for publication until the editor signs off.",
    "regions": ["europe-central-asia", "gb"],
    "topics": ["Refugees and migrants", "Arbitrary detention"],
}
DEMO_SCHEDULED = {
    "slug": "scheduled-human-rights-day-statement",
    "kind": "statement",
    "title": "Human Rights Day: defenders everywhere deserve protection",
    "summary": "On Human Rights Day we pay tribute to the people who risk their freedom and "
    "their lives to defend the rights of others, and call on every government to protect "
    "them.",
    "regions": ["africa", "americas", "asia-pacific"],
    "topics": ["Human rights defenders"],
}
DEMO_SPOKESPEOPLE = [
    # (slug, name, role, languages, regions, expertise)
    ("ines-calder", "Inés Calder", "Americas Director", "English, Spanish", ["americas"],
     "Migration and asylum at the US-Mexico border, enforced disappearances, policing."),
    ("samuel-okafor", "Samuel Okafor", "Africa Researcher", "English, French", ["africa"],
     "Freedom of assembly, forced evictions and corporate accountability in West Africa."),
    ("leila-haddad", "Leila Haddad", "Middle East and North Africa Deputy Director",
     "Arabic, English, French", ["middle-east-north-africa"],
     "Detention, torture and the death penalty; migrants' rights in North Africa."),
    ("mei-tanaka", "Mei Tanaka", "Technology and Human Rights Adviser", "English, Japanese",
     ["asia-pacific"], "Spyware, internet shutdowns and digital surveillance."),
]  # fmt: skip
DEMO_PHOTO_COUNT = 12


def _country_name(regions):
    names = {code.lower(): name for code, name, _ in COUNTRIES}
    for slug in regions:
        if slug in names:
            return names[slug]
    return _GROUPING_NAMES.get(regions[0], "the region")


def demo_records(*, photo_files, pdf_files, scheduled_at):
    """The demo newsroom as interchange records: every kind, region and year range."""
    records = []
    plain = [
        {
            "slug": slug,
            "kind": kind,
            "title": title,
            "summary": summary,
            "published_at": f"{day}T09:00:00-05:00",
            "regions": regions,
            "topics": topics,
        }
        for slug, kind, day, title, summary, regions, topics in DEMO_ARTICLES
    ]
    draft = {**DEMO_DRAFT, "published_at": "2026-09-01", "status": "draft"}
    scheduled = {**DEMO_SCHEDULED, "published_at": scheduled_at}
    for index, record in enumerate([*plain, draft, scheduled]):
        rng = random.Random(stable_seed(record["slug"]))  # noqa: S311
        context = _Context(
            country=_country_name(record["regions"]),
            region=_GROUPING_NAMES.get(record["regions"][0], "the region"),
            group=rng.choice(_GROUPS_NOT_ASYLUM),
            authority=rng.choice(AUTHORITIES),
            right=rng.choice(_RIGHTS_NOT_ASYLUM),
            place=rng.choice(PLACES),
            topic=record["topics"][0],
            year=int(record["published_at"][:4]),
            migration=bool(MIGRATION_TOPICS & set(record["topics"])),
        )
        record["body"] = body_html(rng, context, min_words=250, max_words=500)
        if index % 5 != 4:  # most, not all, articles have a photo
            which = index % len(photo_files)
            record["photo"] = {
                "file": photo_files[which],
                **_photo_meta(which, random.Random(which)),  # noqa: S311
            }
        reference = DEMO_REFERENCES.get(record["slug"])
        if reference:
            record["reference_number"] = reference
            record["attachments"] = [
                {
                    "file": pdf_files[record["slug"]],
                    "title": "Full report",
                    "language": "en",
                }
            ]
        records.append(record)
    links = {
        "facing-walls-asylum-seekers-at-the-border": [
            "pushbacks-aegean-sea-must-stop",
            "detention-of-asylum-seekers-australia",
        ],
        "pushbacks-aegean-sea-must-stop": ["facing-walls-asylum-seekers-at-the-border"],
        "annual-review-americas-2025": [
            "disappeared-families-demand-answers",
            "police-violence-investigation-stalled",
        ],
        "migrant-deaths-desert-route": ["pushbacks-aegean-sea-must-stop"],
    }
    for record in records:
        if record["slug"] in links:
            record["related"] = links[record["slug"]]
    return records


def write_demo_bundle(*, out, scheduled_at, photo_size=(1200, 800)):
    """Write the demo newsroom's interchange file, photos and PDFs; return the JSON path.

    The files are the same bytes on every run, so a second import reuses them.
    """
    out = Path(out)
    photo_files = []
    for i in range(DEMO_PHOTO_COUNT):
        relative = f"images/demo-{i + 1:02d}.jpg"
        make_photo(out / relative, seed=1000 + i, size=photo_size, gps=i % 4 == 0)
        photo_files.append(relative)
    pdf_files = {}
    for slug, reference in DEMO_REFERENCES.items():
        relative = f"docs/{slug}.pdf"
        title = next(t for s, _, _, t, *_ in DEMO_ARTICLES if s == slug)
        make_pdf(out / relative, title=reference, lines=[title, "Full report (demo)"])
        pdf_files[slug] = relative
    path = out / "articles.json"
    write_document(
        path,
        demo_records(photo_files=photo_files, pdf_files=pdf_files, scheduled_at=scheduled_at),
    )
    return path
