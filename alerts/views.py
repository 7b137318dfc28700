"""The alerts' public pages under ``/press/alerts/``: subscribe, confirm, preferences and
unsubscribe. No account: every page after the first is reached through a signed link
from a mail (``alerts.tokens``).

Pages with a token in their address are private: never cached anywhere, never indexed,
and they send no Referer to another site (it would carry the token there).
"""

from functools import wraps

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from alerts import services
from alerts.filtering import describe
from alerts.forms import PreferencesForm, SubscribeForm
from alerts.models import Subscription
from alerts.tokens import subscription_for, token_for
from core.cache import do_not_store
from core.languages import current_language, language_name
from core.outage import DATABASE_UNAVAILABLE, not_saved
from core.security import client_ip
from press.views import rate_limited

# In the page's language: the subscription keeps the words the journalist saw.
CONSENT = _(
    "We will e-mail you only the articles you chose, as they are published or in one "
    "daily digest, after you confirm your address. Every e-mail has a link to change "
    "your choice and a one-click link to stop; we use your address for nothing else."
)


def private(view):
    """Never stored by a cache, never indexed, no Referer to other sites: for pages with
    a token."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        do_not_store(response)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # Not "no-referrer": with it browsers send "Origin: null" on the page's own form
        # posts, which CSRF protection refuses. same-origin keeps the token off other sites.
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def invalid_link(request):
    """Forged, altered, expired and erased links all get this same page."""
    return TemplateResponse(request, "alerts/invalid_link.html", status=404)


class SubscribeView(FormView):
    """``/press/alerts/``: ask for alerts. Prefilled from the list's query string."""

    template_name = "alerts/subscribe.html"
    form_class = SubscribeForm

    def get_initial(self):
        return SubscribeForm.initial_from(self.request.GET)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"consent": CONSENT}

    def post(self, request, *args, **kwargs):
        ip = client_ip(request) or "unknown"
        if services.subscribe_posts.exceeded(ip):
            return rate_limited(request)
        services.subscribe_posts.hit(ip)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.subscribe(
                email=form.cleaned_data["email"],
                query=form.query(),
                frequency=form.cleaned_data["frequency"],
                digest_hour=form.cleaned_data["digest_hour"],
                digest_time_zone=form.cleaned_data["digest_time_zone"],
                consent_text=str(CONSENT),
                # The page's language: /es/press/alerts/ subscribes to Spanish articles.
                language=current_language(),
            )
        except DATABASE_UNAVAILABLE:
            return not_saved(self, form, what="subscription")
        # The same answer whether the address was new, pending or already subscribed:
        # the page tells nobody who subscribes to what.
        return redirect("alerts:check_inbox", permanent=False)


class CheckInboxView(TemplateView):
    template_name = "alerts/check_inbox.html"


class TokenView(View):
    """A page reached through a signed link of ``purpose``."""

    purpose = ""
    template_name = ""

    def dispatch(self, request, *args, token="", **kwargs):
        self.token = token
        self.subscription = subscription_for(token, self.purpose)
        if self.subscription is None:
            return invalid_link(request)
        return super().dispatch(request, *args, **kwargs)

    def render(self, **context):
        context = {
            "subscription": self.subscription,
            "filter_described": describe(self.subscription.query),
            "language_name": language_name(self.subscription.language),
            "token": self.token,
            **context,
        }
        return TemplateResponse(self.request, self.template_name, context)


@method_decorator(private, name="dispatch")
class ConfirmView(TokenView):
    """The confirmation link opens a page with a button; only the POST confirms, so a
    mail scanner fetching the link confirms nothing."""

    purpose = "confirm"
    template_name = "alerts/confirm.html"

    def get(self, request, *args, **kwargs):
        return self.render()

    def post(self, request, *args, **kwargs):
        subscription = services.confirm(subscription=self.subscription)
        if subscription.status != Subscription.Status.CONFIRMED:
            return self.render(stopped=True)
        self.subscription = subscription
        return self.render(
            confirmed=True, preferences_token=token_for(subscription, "preferences")
        )


@method_decorator(private, name="dispatch")
class PreferencesView(TokenView):
    """Change the filter or the frequency, or stop, without an account."""

    purpose = "preferences"
    template_name = "alerts/preferences.html"

    def get(self, request, *args, **kwargs):
        initial = PreferencesForm.initial_from(self.subscription) | {
            "frequency": self.subscription.frequency,
            "digest_hour": self.subscription.digest_hour,
            "digest_time_zone": self.subscription.digest_time_zone,
            "language": self.subscription.language,
        }
        return self.page(PreferencesForm(initial=initial))

    def post(self, request, *args, **kwargs):
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return self.page(form)
        try:
            self.subscription = services.update_preferences(
                subscription=self.subscription,
                query=form.query(),
                frequency=form.cleaned_data["frequency"],
                digest_hour=form.cleaned_data["digest_hour"],
                digest_time_zone=form.cleaned_data["digest_time_zone"],
                language=form.cleaned_data.get("language", ""),
            )
        except services.FilterTaken as taken:
            form.add_error(None, str(taken))
            return self.page(form)
        return self.page(form, saved=True)

    def page(self, form, **context):
        return self.render(
            form=form,
            unsubscribe_token=token_for(self.subscription, "unsubscribe"),
            **context,
        )


@method_decorator(private, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(TokenView):
    """GET: a page with a button. POST: unsubscribe. RFC 8058 one-click: mail clients
    POST ``List-Unsubscribe=One-Click`` with no cookie, so this view alone takes a POST
    without a CSRF token; the signed token in the address is the authentication, and
    the worst a forged cross-site POST could do is what the link's holder may do."""

    purpose = "unsubscribe"
    template_name = "alerts/unsubscribe.html"

    def get(self, request, *args, **kwargs):
        return self.render(preferences_token=token_for(self.subscription, "preferences"))

    def post(self, request, *args, **kwargs):
        self.subscription = services.unsubscribe(subscription=self.subscription)
        return self.render(
            done=True, preferences_token=token_for(self.subscription, "preferences")
        )
