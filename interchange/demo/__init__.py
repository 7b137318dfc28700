"""The demo newsroom: its content as data files, and the generator of benchmark content.

``articles.json`` is an interchange file (read by the importer) with the demo articles;
the one without ``published_at`` is the scheduled one, dated by ``seed_demo`` at run time.
``translations.json`` holds the demo's other languages: versions of some of those
articles in Spanish, French and Arabic (``translation_of``), and stories told in one of
them only; ``seed_demo`` imports those in the languages of ``LANGUAGES``.
``newsroom.json`` holds what is not an article: the settings, the spokespeople and which
articles quote them, how the scheduled article and the photos are made.
``languages.json`` holds the rest of what visitors read in the other languages: the
topics' names and the site settings' texts (each beside the English text it
translates); ``seed_demo`` writes those of the languages of ``LANGUAGES``.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
ARTICLES = FOLDER / "articles.json"
TRANSLATIONS = FOLDER / "translations.json"
NEWSROOM = FOLDER / "newsroom.json"
LANGUAGES = FOLDER / "languages.json"
