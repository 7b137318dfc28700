"""Small TCP servers for fault tests: one that accepts and never answers, and a proxy to a
real server whose connection can be cut and restored. Both listen on 127.0.0.1."""

import contextlib
import socket
import threading

# Ports these tests may listen on (the first free one is taken).
PORT_RANGE = range(18200, 18300)


def listening_socket() -> socket.socket:
    for port in PORT_RANGE:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(64)
        return sock
    raise RuntimeError(f"no free port in {PORT_RANGE}")


class _Server:
    def __init__(self):
        self.sock = listening_socket()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._clients = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self):
        while not self._closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self._clients.append(client)
            self.handle(client)

    def handle(self, client):
        """Hold the connection and never answer."""

    def drop_clients(self):
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def close(self):
        self._closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.drop_clients()
        self._thread.join(timeout=2)


class HangingServer(_Server):
    """Accepts connections and never answers: a Redis that hangs."""


class CuttableProxy(_Server):
    """Forwards to ``target`` (host, port) until ``hang()``; then holds every connection
    without answering, until ``restore()``."""

    def __init__(self, target):
        self.target = target
        self.forwarding = True
        super().__init__()

    def handle(self, client):
        if not self.forwarding:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=2)
        except OSError:
            client.close()
            return
        with self._lock:
            self._clients.append(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while self.forwarding and (data := source.recv(65536)):
                if not self.forwarding:
                    return
                sink.sendall(data)
        except OSError:
            return

    def hang(self):
        self.forwarding = False
        self.drop_clients()

    def restore(self):
        self.forwarding = True
