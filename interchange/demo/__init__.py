"""The demo newsroom: its content as data files, and the generator of benchmark content.

``articles.json`` is an interchange file (read by the importer) with the demo articles;
the one without ``published_at`` is the scheduled one, dated by ``seed_demo`` at run time.
``newsroom.json`` holds what is not an article: the settings, the spokespeople and which
articles quote them, how the scheduled article and the photos are made.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
ARTICLES = FOLDER / "articles.json"
NEWSROOM = FOLDER / "newsroom.json"
