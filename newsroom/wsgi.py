"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# After setup: a request Django could not even build is refused before it (core/http.py).
from core.http import refuse_unreadable_requests  # noqa: E402

application = refuse_unreadable_requests(application)
