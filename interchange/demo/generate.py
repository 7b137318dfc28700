"""Made-up newsroom content in the interchange format, for benchmarks, and the demo's files.

Everything here is generated from a seed and the phrase banks below: no external data,
no real people. ``bench/generate.py`` writes any number of generated articles;
``manage.py seed_demo`` reads its articles from ``interchange/demo/articles.json`` and makes
only their photos (some carrying GPS tags, to show they are stripped) and PDFs here. Both
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

# A word most of the archive contains, as "refugees" is in a refugee-rights newsroom: the
# benchmark searches for it to measure a full-text match over more than half the articles.
# Drawn from an RNG of its own so that adding it changed nothing else in the generated data.
COMMON_WORD_SHARE = 0.6
COMMON_SENTENCES = [
    "The organization has worked with refugees and the communities hosting them in "
    "{country} since {year}.",
    "Our researchers continue to document the situation of refugees and others at risk "
    "in {place}.",
    "Refugees and local groups in {country} say international support has fallen short.",
]

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
    common_rng = random.Random(seed * 104_729 + 1)  # noqa: S311
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
        summary = summary_text(rng, context)
        body = body_html(rng, context)
        if common_rng.random() < COMMON_WORD_SHARE:
            sentence = context.fill(common_rng.choice(COMMON_SENTENCES), common_rng)
            body = f"<p>{sentence}</p>{body}"
        record = {
            "slug": slug,
            "kind": kind,
            "title": title,
            "summary": summary,
            "body": body,
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
