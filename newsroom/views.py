"""Site-wide views: the home page, the health check and the error page."""

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import SimpleTemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

from articles.frontpage import FrontPage
from core.cache import cache_health
from core.languages import language_codes, language_name
from core.models import SiteSettings
from outbox.health import outbox_health
from press.errors import NOT_REPORTED, REPORTED, report_outcome


class HomeView(TemplateView):
    """The front door: a lead story, the latest news, reports and statements, and the
    way to the press office (sections: ``articles.frontpage.FrontPage``)."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["front"] = FrontPage(pinned_id=SiteSettings.load().lead_article_id)
        context["language_offers"] = language_offers()
        return context


def language_offers():
    """The home page's offer of the newsroom in another language, one per language other
    than the page's, each said in its own language. Which one a visitor sees (if any)
    is chosen in their browser from its languages (static/js/language-offer.js), once:
    the page itself is the same for everyone, so that a shared link, and nginx's copy,
    mean one thing."""
    page_language = translation.get_language()
    offers = []
    for code in language_codes():
        if code == page_language:
            continue
        with translation.override(code):
            offers.append(
                {
                    "code": code,
                    "bidi": translation.get_language_bidi(),
                    "url": reverse("home"),
                    "text": translation.gettext("This newsroom also publishes in your language:"),
                    "name": language_name(code),
                    "dismiss": translation.gettext("No, thanks"),
                }
            )
    return offers


class RobotsView(TemplateView):
    """robots.txt: crawl everything public, not the admin, not endless filter combinations."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A custom ADMIN_URL exists to keep the admin out of scanners' first guesses;
        # printing it in a public file would undo that, so only the default is listed.
        context["admin_path"] = "/admin/" if settings.ADMIN_URL == "admin/" else None
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context


def _timed(check):
    """Run a check; return ("ok", milliseconds) or ("unavailable", milliseconds)."""
    started = time.perf_counter()
    status = "ok" if check() else "unavailable"
    return status, round((time.perf_counter() - started) * 1000, 1)


# The worker beats every second or so; a minute of silence means it is stuck or gone.
WORKER_SILENT_AFTER = 60
# Mail due this long and not sent: the worker or the mail server is not keeping up.
MAIL_OVERDUE_AFTER = 300


def _database_answers(found: dict):
    """Whether the database answers; and, in the same query, the newest worker heartbeat
    and the oldest due message (``outbox.health``), saved in ``found``. A database that
    answers but lacks the outbox's tables (not migrated yet) answers ``SELECT 1``: the
    outbox's state is then unknown (``found["outbox"] = False``), not the database's."""
    try:
        found.update(outbox_health())
        return True
    except DatabaseError:
        pass
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            answered = cursor.fetchone() == (1,)
    except DatabaseError:
        return False
    found["outbox"] = False
    return answered


def _age(seconds):
    return None if seconds is None else round(seconds, 1)


@never_cache
def healthz(request):
    """For load balancers and orchestrators: is this app server fit to take traffic?

    503 when the database does not answer: nothing useful can be served. A cache that
    does not answer only makes the site slower (every page is then rendered from the
    database), a silent worker or overdue mail only delays e-mail, so those answers stay
    200 with ``"status": "degraded"`` rather than taking every app server out of the pool
    at once. ``worker_heartbeat_age_s`` is null where no worker ever ran (a site without
    one); ``oldest_due_mail_age_s`` is null when no mail is waiting.
    """
    found = {}
    database, database_ms = _timed(lambda: _database_answers(found))
    cache_status, cache_ms = _timed(cache_health)
    beat_age, due_age = found.get("heartbeat_age"), found.get("oldest_due_age")
    worker = "ok"
    if found.get("outbox") is False:
        worker = "unknown"
    elif beat_age is None:
        worker = "none"
    elif beat_age > WORKER_SILENT_AFTER:
        worker = "silent"
    mail = "overdue" if due_age is not None and due_age > MAIL_OVERDUE_AFTER else "ok"
    if found.get("outbox") is False:
        mail = "unknown"
    if database != "ok":
        status, code = "unavailable", 503
        worker = mail = "unknown"
    elif cache_status != "ok" or worker in ("silent", "unknown") or mail != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse(
        {
            "status": status,
            "database": database,
            "cache": cache_status,
            "worker": worker,
            "mail": mail,
            "worker_heartbeat_age_s": _age(beat_age),
            "oldest_due_mail_age_s": _age(due_age),
            "timings_ms": {"database": database_ms, "cache": cache_ms},
        },
        status=code,
    )


def favicon(request):
    """Browsers ask for /favicon.ico on every page that names no icon (the admin's)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@requires_csrf_token
def server_error(request):
    """The 500 page, as Django's own (no request context: something has already failed),
    saying what became of the error report.

    Django logs the error after calling this view but renders a template response only
    after that, so the page is rendered once the report handler has noted its outcome
    (``press.errors.report_outcome``, called by the template).
    """
    context = {
        "report": lambda: report_outcome(request),
        "REPORTED": REPORTED,
        "NOT_REPORTED": NOT_REPORTED,
    }
    return SimpleTemplateResponse("500.html", context, status=500)
