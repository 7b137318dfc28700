"""Mail servers for fault tests, all on 127.0.0.1: a port nobody listens on, a server
that accepts and never answers, and a real SMTP sink (aiosmtpd) that keeps what it gets."""

import asyncio
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port that was free a moment ago: nothing listens on it (a closed mail server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_mailers(port: int, *, timeout: float = 1) -> dict:
    """MAILERS pointing at the SMTP server on 127.0.0.1:``port``."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }


@contextmanager
def hanging_server(port: int = 0):
    """Accepts connections and never says a word, as a wedged mail server does."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for connection in held:
            connection.close()
        server.close()


class _Sink:
    def __init__(self, delay: float = 0):
        self.messages = []
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


@contextmanager
def smtp_sink(port: int | None = None, *, delay: float = 0):
    """A real SMTP server; yields (port, messages) where messages fill as mail arrives:
    (envelope recipients, email.message.Message) pairs."""
    handler = _Sink(delay)
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port, handler.messages
    finally:
        controller.stop()


def race(call, *, workers: int = 2) -> list:
    """Run ``call`` in ``workers`` threads released at the same moment, as two task
    workers picking up duplicate tasks; return what each returned (or raised). Each
    thread closes its own database connection."""
    from django.db import connection

    barrier = threading.Barrier(workers)
    outcomes = []

    def work():
        try:
            barrier.wait(5)
            outcomes.append(call())
        except Exception as error:  # noqa: BLE001 - the caller judges what it raised
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    return outcomes
