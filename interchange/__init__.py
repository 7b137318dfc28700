"""Articles in and out of the interchange format ("newsroom-articles/1", see docs/interchange.md).

One entry each way, for commands, admin actions, benchmarks and tests alike:
``import_articles(path=...)`` and ``export_articles(path=...)``. ``ImportFailed`` (what
a refused import raises, listing every problem) and ``FORMAT`` come from here too.

The implementations import the models, which are not ready when Django imports this
package to install the app; hence the imports at call time.
"""

__all__ = ["FORMAT", "ImportFailed", "export_articles", "import_articles"]


def import_articles(*, path, **options):
    """Import the interchange file at ``path``: all of it, or, on any problem, nothing
    (``interchange.importing.articles_import`` says which options it takes)."""
    from interchange.importing import articles_import  # noqa: PLC0415 - see above

    return articles_import(path=path, **options)


def export_articles(*, path, **options):
    """Write articles (default: all) to ``path`` with their photos and attachments
    (``interchange.exporting.articles_export``)."""
    from interchange.exporting import articles_export  # noqa: PLC0415 - see above

    return articles_export(path=path, **options)


def __getattr__(name):
    if name in ("FORMAT", "ImportFailed"):
        from interchange import importing  # noqa: PLC0415 - see above

        return getattr(importing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
