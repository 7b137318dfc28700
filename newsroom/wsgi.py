"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# After setup: page-cache hits are answered before Django's handler (core/cache.py),
# and a request Django could not even build is refused before both (core/http.py).
from core.cache import serve_page_cache_hits  # noqa: E402
from core.http import refuse_unreadable_requests  # noqa: E402

application = refuse_unreadable_requests(serve_page_cache_hits(application))
