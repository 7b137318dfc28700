"""The database going away under a running site, for the outage tests."""

from contextlib import contextmanager

from django.db import connection

# Where a new connection is refused at once, as by a server that is down.
UNREACHABLE = {
    "sqlite": {"NAME": "/nonexistent/newsroom-outage.sqlite3"},
    "postgresql": {"HOST": "127.0.0.1", "PORT": "1"},
}


@contextmanager
def database_down():
    """The database server gone: the open connection is dropped and every new one is
    refused by the driver, so each query raises Django's ``OperationalError`` the way it
    does in production.

    The test database's own connection is put aside and given back afterwards (an
    in-memory SQLite database would be lost with it). Use in ``transaction=True`` tests:
    a test wrapped in a transaction cannot lose its connection halfway.
    """
    assert not connection.in_atomic_block, "use django_db(transaction=True)"
    saved_connection, saved_settings = connection.connection, connection.settings_dict
    connection.connection = None
    connection.settings_dict = {**saved_settings, **UNREACHABLE[connection.vendor]}
    try:
        yield
    finally:
        connection.settings_dict = saved_settings
        connection.connection = saved_connection
