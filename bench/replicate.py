"""Make a larger bench database from an imported one by copying its articles in SQL.

    .venv/bin/python bench/replicate.py --source 100000 --times 10   # newsroom_bench_1000000

``run.py --count 1000000`` generates a 5.7 GB file and imports it in ten parts of
100,000: on two shared cores that took longer than the time there was to measure. This
builds the same size of database in minutes, to measure the site and the admin at that
scale (``run.py --count 1000000 --reuse``, ``bench/admin.py``): a copy of the source
database (``CREATE DATABASE … TEMPLATE``) to which ``--times - 1`` copies of every
article are added with their regions, groupings, topics, attachments, spokespeople and
related articles (ids shifted, slugs suffixed ``-c<n>``, titles kept, publication times
moved back ``<n>`` times 37 minutes so that copies do not tie). The search vectors are
copied with the rows (in this database the column is no longer generated), and the
secondary indexes built once at the end. Then ``VACUUM ANALYZE``. It measures nothing
about the importer: time that with ``run.py``.
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

ARTICLE_COLUMNS = (
    "kind, title, slug, summary, body, reference_number, status, published_at, "
    "substantively_updated_at, hero_caption, created_at, updated_at, created_by_id, "
    "hero_photo_id, updated_by_id"
)
# Tables that hang off an article: (table, article column, other columns).
RELATIONS = [
    ("articles_article_regions", "article_id", "region_id"),
    ("articles_articlegrouping", "article_id", "grouping_id"),
    ("articles_taggedarticle", "content_object_id", "tag_id"),
    ("articles_article_attachments", "article_id", "document_id"),
    ("articles_article_spokespeople", "article_id", "spokesperson_id"),
]


def say(message):
    print(f"[replicate] {message}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=int, default=100_000, help="Articles in the source.")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    args = parser.parse_args(argv)
    source = f"newsroom_bench_{args.source}"
    target = f"newsroom_bench_{args.source * args.times}"

    started = time.monotonic()
    with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as server:
        say(f"copying {source} to {target}")
        server.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    for kind in ("media", "private-media"):
        if (OUT / f"{kind}-{args.source}").exists():
            shutil.rmtree(OUT / f"{kind}-{args.source * args.times}", ignore_errors=True)
            shutil.copytree(
                OUT / f"{kind}-{args.source}", OUT / f"{kind}-{args.source * args.times}"
            )

    with psycopg.connect(f"{args.pg_url}/{target}", autocommit=True) as db:
        offset = db.execute("SELECT max(id) FROM articles_article").fetchone()[0]
        # Copies keep their original's search vector rather than computing it again (the
        # column stops being generated in this database: nothing writes to it), and the
        # secondary indexes are built once at the end rather than row by row.
        db.execute("ALTER TABLE articles_article ALTER COLUMN search_vector DROP EXPRESSION")
        indexes = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'articles_article' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        ).fetchall()
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        for copy in range(1, args.times):
            shift = copy * offset
            say(f"copy {copy} of {args.times - 1}")
            with db.transaction():
                db.execute(
                    # Table and column names are this module's constants.
                    f"INSERT INTO articles_article (id, {ARTICLE_COLUMNS}, search_vector) "  # noqa: S608
                    f"SELECT id + %(shift)s, kind, title, slug || '-c{copy}', summary, body, "
                    "reference_number, status, published_at - %(copy)s * interval '37 minutes', "
                    "substantively_updated_at, hero_caption, created_at, updated_at, "
                    "created_by_id, hero_photo_id, updated_by_id, search_vector "
                    "FROM articles_article WHERE id <= %(offset)s",
                    {"shift": shift, "copy": copy, "offset": offset},
                )
                for table, article, other in RELATIONS:
                    db.execute(
                        f"INSERT INTO {table} ({article}, {other}) "  # noqa: S608
                        f"SELECT {article} + %(shift)s, {other} FROM {table} "
                        f"WHERE {article} <= %(offset)s",
                        {"shift": shift, "offset": offset},
                    )
                db.execute(
                    "INSERT INTO articles_article_related (from_article_id, to_article_id) "
                    "SELECT from_article_id + %(shift)s, to_article_id + %(shift)s "
                    "FROM articles_article_related WHERE from_article_id <= %(offset)s",
                    {"shift": shift, "offset": offset},
                )
        db.execute(
            "SELECT setval(pg_get_serial_sequence('articles_article', 'id'), "
            "(SELECT max(id) FROM articles_article))"
        )
        for table, _, _ in [*RELATIONS, ("articles_article_related", "", "")]:
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        say(f"building {len(indexes)} indexes")
        db.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            db.execute(definition)
        say("VACUUM ANALYZE")
        db.execute("VACUUM ANALYZE")
        total = db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    say(f"{target}: {total:,} articles in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
