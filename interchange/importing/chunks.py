"""Working through long lists a batch at a time, with an optional progress bar."""

import sys
from collections.abc import Iterable, Iterator, Sequence

from tqdm import tqdm

# Rows per bulk query: large enough to amortise round trips, small enough to stay under
# SQLite's parameter limit and PostgreSQL's comfortable statement size.
BATCH_SIZE = 1000


def chunked(items: Iterable, size: int = BATCH_SIZE) -> Iterator[Sequence]:
    """``items`` in consecutive lists of at most ``size``."""
    items = items if isinstance(items, Sequence) else list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def progress_bar(iterable=None, *, total=None, desc: str, unit: str, enabled: bool):
    """A tqdm bar on stderr, or a silent one when ``enabled`` is false."""
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not enabled, file=sys.stderr)
