"""Write a deterministic interchange file for benchmarks: articles, photos and PDFs.

    python bench/generate.py --count 100000 --photos 200 --seed 1 --out bench/out/articles-100k/
    python manage.py import_articles bench/out/articles-100k/articles.json

The same seed gives the same bytes. See interchange/demo/generate.py for what is generated.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tqdm import tqdm  # noqa: E402

from interchange.demo.generate import write_bundle  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="Number of articles.")
    parser.add_argument("--photos", type=int, default=50, help="Size of the photo pool.")
    parser.add_argument("--pdfs", type=int, default=5, help="Number of report PDFs.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="Folder to write into.")
    parser.add_argument("--quiet", action="store_true", help="No progress bar.")
    args = parser.parse_args(argv)

    started = time.monotonic()
    bar = tqdm(total=args.count, unit="article", disable=args.quiet, file=sys.stderr)
    path = write_bundle(
        out=args.out,
        count=args.count,
        photos=args.photos,
        pdfs=args.pdfs,
        seed=args.seed,
        progress=bar.update,
    )
    bar.close()
    size = path.stat().st_size / 1_000_000
    print(
        f"Wrote {path} ({args.count} articles, {size:.1f} MB) in {time.monotonic() - started:.1f}s"
    )


if __name__ == "__main__":
    main()
