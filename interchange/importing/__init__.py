"""Import articles from the interchange format ("newsroom-articles/1", see docs/interchange.md).

The import is all-or-nothing. ``parse`` reads and checks the whole file (every record,
every referenced photo and document file, all inside the JSON file's folder) and
collects every problem; if there is one, ``ImportFailed`` lists them all and nothing is
written. Otherwise ``write`` stores everything in one transaction, with bulk queries so
that 100,000 records take minutes, not hours, and removes the files it stored if that
transaction fails.

Records are keyed by slug: an existing article whose content already matches its record
is left alone (its ``updated_at`` does not move), so importing the same file twice
changes nothing. Files are keyed by their SHA-256: the same photo used by several
records, or already in the library, becomes one Photo; the same for attachments.
"""

from interchange.importing.parse import FORMAT, ImportFailed, parse_file
from interchange.importing.write import ImportResult, write_records

__all__ = ["FORMAT", "ImportFailed", "ImportResult", "articles_import"]


def articles_import(
    *,
    path,
    user=None,
    progress: bool = False,
    generate_renditions: bool = True,
    alerts: bool = True,
) -> ImportResult:
    """Import the interchange file at ``path``: all of it, or, on any problem, nothing.

    Raises ``ImportFailed`` listing every problem ("record N (slug): field: message").
    Renditions of new photos are queued for the worker once the transaction commits; with
    ``generate_renditions=False`` they are left for ``manage.py generate_renditions
    --missing`` and listed in ``ImportResult.photos_without_renditions``. On PostgreSQL
    the written tables are analysed after the commit. ``alerts=False`` e-mails no
    subscriber about the imported articles (see ``articles.changes``).
    """
    records = parse_file(path=path, progress=progress)
    return write_records(
        records=records,
        user=user,
        progress=progress,
        generate_renditions=generate_renditions,
        alerts=alerts,
    )
