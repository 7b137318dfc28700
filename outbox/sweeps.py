"""Periodic catch-up work that apps hand to the worker, instead of a cron job.

An app registers a function from its ``AppConfig.ready()``; the worker calls each at most
every ``every`` seconds. A sweep only enqueues or queues what is due, and must be cheap
and idempotent (two workers may run it at once).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Sweep:
    name: str
    function: Callable[[], object]
    every: float
    last: float = float("-inf")


_sweeps: dict[str, Sweep] = {}


def register(name: str, function: Callable[[], object], *, every: float = 60) -> None:
    _sweeps[name] = Sweep(name, function, every)


def due(now: float | None = None) -> list[Sweep]:
    now = time.monotonic() if now is None else now
    return [sweep for sweep in _sweeps.values() if now - sweep.last >= sweep.every]
