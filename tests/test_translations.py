"""The interface's catalogues (locale/<lang>/LC_MESSAGES/django.po and its compiled .mo):
complete, compiled from what is committed, true to every placeholder, and wired into the
templates; with the default settings every page stays in English."""

import gettext
import io
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings

from articles.models import Article
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("es", "fr", "ar")
# Folders makemessages is told to skip (docs/translations.md): no interface text there.
NOT_SCANNED = {"bench", "tests", "locale", "static", "staticfiles", "media"}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([sdifr%])")


def catalogue(lang, suffix):
    return ROOT / "locale" / lang / "LC_MESSAGES" / f"django.{suffix}"


def read_po(path):
    """The live entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list, one
    string per plural form) and whether it is fuzzy. Obsolete (#~) entries are left out."""
    entries = []
    for block in Path(path).read_text(encoding="utf-8").split("\n\n"):
        entry, key, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            if line.startswith("#"):
                continue
            field = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if field:
                key = field.group(1)
                entry[key] = ""
                line = field.group(2)
            entry[key] += _unquote(line)
        if "msgid" not in entry or entry["msgid"] == "":
            continue
        forms = sorted(k for k in entry if k.startswith("msgstr"))
        entries.append(
            {
                "msgctxt": entry.get("msgctxt"),
                "msgid": entry["msgid"],
                "msgid_plural": entry.get("msgid_plural"),
                "msgstr": [entry[k] for k in forms],
                "fuzzy": fuzzy,
            }
        )
    return entries


def _unquote(line):
    text = line.strip()[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


def placeholders(text):
    return Counter(
        f"%({name})" if name else f"%{kind}"
        for name, kind in PLACEHOLDER.findall(text)
        if kind != "%"
    )


def plural_rule(lang):
    header = Path(catalogue(lang, "po")).read_text(encoding="utf-8")
    expression = re.search(r"plural=([^;\"]+);", header.replace('"\n"', "")).group(1)
    return gettext.c2py(expression)


def msgfmt(po_path):
    """The .mo that gettext's msgfmt compiles from ``po_path`` (with its format checks),
    as Django's compilemessages runs it."""
    if not shutil.which("msgfmt"):
        pytest.fail("msgfmt is missing: install GNU gettext (apt-get install gettext)")
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-domain", "-o", "-", str(po_path)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def messages(mo_bytes):
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))._catalog


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_committed_po(lang):
    """Compared by content: after a git clone every file has the checkout's mtime."""
    compiled = messages(msgfmt(catalogue(lang, "po")))
    committed = messages(catalogue(lang, "mo").read_bytes())
    stale = {
        key
        for key in compiled.keys() | committed.keys()
        if compiled.get(key) != committed.get(key)
    }
    assert not stale, (
        f"locale/{lang}/LC_MESSAGES/django.mo does not match its .po "
        f"({len(stale)} messages differ, e.g. {sorted(map(str, stale))[:3]}): "
        "run manage.py compilemessages --ignore=.venv and commit the .mo"
    )


def _sources(folder, names):
    """copytree's ignore: keep folders and the files makemessages reads."""
    return [
        name
        for name in names
        if name in {"__pycache__", "static", "migrations"}
        or not (Path(folder, name).is_dir() or name.endswith((".html", ".txt", ".py")))
    ]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What makemessages finds in the project today, extracted in a copy of it so that
    the committed catalogues are not touched."""
    copy = tmp_path_factory.mktemp("project")
    for folder in ROOT.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and folder.name not in NOT_SCANNED:
            shutil.copytree(folder, copy / folder.name, ignore=_sources)
    (copy / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[copy / "locale"]):
        patch.chdir(copy)
        call_command("makemessages", locale=["es"], verbosity=0, no_obsolete=True)
    entries = read_po(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 400, "makemessages found far fewer strings than the templates hold"
    return entries


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_translatable_string_has_a_translation(lang, extracted):
    translated = {
        (entry["msgctxt"], entry["msgid"], entry["msgid_plural"]): entry
        for entry in read_po(catalogue(lang, "po"))
    }
    missing = [
        entry["msgid"]
        for entry in extracted
        if (entry["msgctxt"], entry["msgid"], entry["msgid_plural"]) not in translated
    ]
    unfinished = [
        entry["msgid"]
        for entry in translated.values()
        if entry["fuzzy"] or not all(entry["msgstr"])
    ]
    assert not missing, (
        f"{len(missing)} strings are not in locale/{lang}: run manage.py makemessages "
        f"(docs/translations.md) and translate them, e.g. {missing[:3]}"
    )
    assert not unfinished, f"{len(unfinished)} untranslated or fuzzy in {lang}: {unfinished[:3]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang):
    """A renamed or lost %(name)s breaks the sentence (Django falls back to English, or
    the value is missing). A plural form that serves a single number (Arabic's one and
    two) may write the number out in words and so leave the count out, and the form for
    one may leave out what the English singular leaves out; nothing else."""
    rule = plural_rule(lang)
    served = Counter(rule(n) for n in range(1000))
    wrong = []
    for entry in read_po(catalogue(lang, "po")):
        if entry["msgid_plural"] is None:
            if placeholders(entry["msgstr"][0]) != placeholders(entry["msgid"]):
                wrong.append((entry["msgid"], entry["msgstr"][0]))
            continue
        expected = set(placeholders(entry["msgid_plural"]))
        unsaid_in_singular = expected - set(placeholders(entry["msgid"]))
        for index, form in enumerate(entry["msgstr"]):
            found = set(placeholders(form))
            lost = expected - found
            spelled_out = served[index] == 1 and len(lost) == 1
            as_in_english = index == rule(1) and lost <= unsaid_in_singular
            if found - expected or (lost and not (spelled_out or as_in_english)):
                wrong.append((entry["msgid_plural"], form))
    assert not wrong, f"placeholders changed in {lang}: {wrong[:3]}"


def test_the_placeholder_check_sees_a_renamed_or_dropped_name():
    assert placeholders("Hola %(nombre)s") != placeholders("Hello %(name)s")
    assert placeholders("Guardado") != placeholders("Saved %(when)s")
    assert placeholders("100%% sure, %s") == placeholders("%s, 100%% sûr")


def test_the_default_is_english_only():
    assert django_settings.LANGUAGES == [("en", "English")]
    assert django_settings.LANGUAGE_CODE == "en"


def settings_with(languages):
    script = "from django.conf import settings; print(settings.LANGUAGE_CODE, settings.LANGUAGES)"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "LANGUAGES": languages,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_languages_come_from_the_environment_with_their_own_names():
    result = settings_with("es, en,AR")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "es [('es', 'español'), ('en', 'English'), ('ar', 'العربيّة')]"
    )


@pytest.mark.parametrize(
    ("languages", "message"),
    [
        ("en,xx", "LANGUAGES: 'xx' is not a language code Django knows"),
        ("en,es,en", "LANGUAGES: 'en' is listed twice."),
        (" , ", "LANGUAGES must name at least one language"),
    ],
)
def test_an_unknown_language_stops_the_start(languages, message):
    result = settings_with(languages)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


# --- The templates are wired: each language shows its own words -------------------------

PAGES = {
    "home": (
        "Latest news",
        {"es": "Últimas noticias", "fr": "Dernières actualités", "ar": "آخر الأخبار"},
    ),
    "list": (
        "Apply filters",
        {"es": "Aplicar los filtros", "fr": "Appliquer les filtres", "ar": "تطبيق عوامل التصفية"},
    ),
    "article": (
        "Copy link",
        {"es": "Copiar el enlace", "fr": "Copier le lien", "ar": "نسخ الرابط"},
    ),
    "inquiry": (
        "Send inquiry",
        {"es": "Enviar la consulta", "fr": "Envoyer la demande", "ar": "أرسل الاستفسار"},
    ),
    "alerts": (
        "No account needed.",
        {"es": "No necesita cuenta.", "fr": "Aucun compte nécessaire.", "ar": "لا حاجة إلى حساب."},
    ),
}


@pytest.fixture
def pages(db, multilingual):
    """Each page's address in each language: the default's unprefixed, the others' under
    their code, with an article written in each."""
    addresses = {}
    for code, _name in multilingual.LANGUAGES:
        article = ArticleFactory(
            title=f"Detained defenders released ({code})",
            kind=Article.Kind.PRESS_RELEASE,
            language=code,
        )
        ArticleFactory(
            title=f"A report on prisons ({code})", kind=Article.Kind.REPORT, language=code
        )
        prefix = "" if code == "en" else f"/{code}"
        addresses[code] = {
            "home": f"{prefix}/",
            "list": f"{prefix}/news/",
            "article": article.get_absolute_url(),
            "inquiry": f"{prefix}/press/inquiry/",
            "alerts": f"{prefix}/press/alerts/",
        }
    return addresses


def render(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_each_page_speaks_the_language_of_its_address(client, pages, page, lang):
    english, translated = PAGES[page][0], PAGES[page][1][lang]
    html = render(client, pages[lang][page])
    assert translated in html
    assert english not in html
    assert english in render(client, pages["en"][page])


@pytest.mark.parametrize("page", PAGES)
def test_the_english_page_is_unchanged_by_a_translated_render(client, pages, page):
    """The caches keep each language's fragments apart."""
    before = render(client, pages["en"][page])
    render(client, pages["ar"][page])
    after = render(client, pages["en"][page])
    assert PAGES[page][0] in before
    assert "Skip to main content" in before
    if page in {"home", "list", "article"}:  # the forms carry a fresh CSRF token
        assert after == before
