"""Public pages of the press office: the media inquiry form and the press contacts."""

import logging
import time
from datetime import UTC, datetime

from django.core import signing
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.generic import FormView, TemplateView

from articles.models import Article, Region
from core.datetimes import in_two_zones
from core.languages import current_language
from core.links import absolute_url
from core.models import SiteSettings
from core.outage import DATABASE_UNAVAILABLE, not_saved
from core.security import client_ip
from press import downloads, services
from press.forms import MediaInquiryForm
from press.models import PressContact, Spokesperson
from press.vcards import vcard

logger = logging.getLogger(__name__)

REFERENCE_SALT = "press.inquiry.reference"
# The thank-you page shows the reference for a day after the inquiry was sent.
REFERENCE_MAX_AGE = 60 * 60 * 24


def thanks_url(inquiry) -> str:
    """The thank-you page of an inquiry, its reference signed into the address.

    Signed with the inquiry's own time rather than the clock's, so a second POST of the
    same form is answered with the very same address as the first.
    The deadline and the journalist's zone ride along, so the page can confirm the
    deadline in both zones without reading the inquiry back.
    """
    sent = int(inquiry.created_at.timestamp())
    deadline = int(inquiry.deadline.timestamp()) if inquiry.deadline else None
    token = signing.Signer(salt=REFERENCE_SALT).sign_object(
        [inquiry.reference, sent, deadline, inquiry.time_zone]
    )
    return f"{reverse('press:inquiry_thanks')}?ref={token}"


def thanks_details(token: str) -> dict | None:
    """The reference, and the deadline in both zones (or ""), of a fresh thanks token."""
    try:
        reference, sent, *rest = signing.Signer(salt=REFERENCE_SALT).unsign_object(token)
        fresh = time.time() - float(sent) <= REFERENCE_MAX_AGE
        deadline, zone = [*rest, None, ""][:2]
        deadline = datetime.fromtimestamp(int(deadline), tz=UTC) if deadline else None
    except (signing.BadSignature, TypeError, ValueError, OverflowError, OSError):
        return None
    if not fresh:
        return None
    return {
        "reference": str(reference),
        "deadline": in_two_zones(deadline, str(zone or "")) if deadline else "",
    }


def thanks_reference(token: str) -> str | None:
    details = thanks_details(token)
    return details["reference"] if details else None


class InquiryView(FormView):
    """``/press/inquiry/``: store the inquiry, then send the journalist to the thank-you
    page with its reference signed into the address (so nobody can read another's)."""

    template_name = "press/inquiry_form.html"
    form_class = MediaInquiryForm

    def post(self, request, *args, **kwargs):
        ip = client_ip(request) or "unknown"
        if services.inquiry_submissions.exceeded(ip) or services.inquiry_posts.exceeded(ip):
            return rate_limited(request)
        services.inquiry_posts.hit(ip)
        # With the cache down the limits fail open: the inquiry is taken and flagged.
        self.rate_limit_skipped = not services.RateLimit.checked()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        ip = client_ip(self.request)
        try:
            inquiry = services.inquiry_submit(
                data=form.cleaned_data,
                ip=ip,
                user_agent=self.request.headers.get("user-agent", ""),
                spam_reason=form.spam_reason,
                submission_key=form.submission_key,
                rate_limit_skipped=self.rate_limit_skipped,
                # The form's language: /es/press/inquiry/ is answered in Spanish.
                language=current_language(),
            )
        except DATABASE_UNAVAILABLE:
            return not_saved(self, form, what="inquiry")
        except services.AlreadySubmitted as sent:
            # The journalist went back and changed a form already sent: nothing is lost,
            # the changed form comes back, ready to be sent as a new inquiry.
            form.reissue_token()
            form.add_error(
                None,
                gettext(
                    "This form was already sent as inquiry %(reference)s. To send what you "
                    "changed as a new inquiry, check it and send it again."
                )
                % {"reference": sent.inquiry.reference},
            )
            return self.form_invalid(form)
        services.inquiry_submissions.hit(ip or "unknown")
        # Spam gets the same answer as a person: a bot learns nothing from it.
        response = HttpResponseRedirect(thanks_url(inquiry))
        # 303 See Other: the thank-you page is fetched with GET, never a re-POST.
        response.status_code = 303
        return response


class InquiryThanksView(TemplateView):
    template_name = "press/inquiry_thanks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        details = thanks_details(self.request.GET.get("ref", "")) or {}
        context["reference"] = details.get("reference")
        context["deadline"] = details.get("deadline", "")
        return context


class ContactsView(TemplateView):
    """``/press/``: whom journalists can reach, and whom they can interview."""

    template_name = "press/contacts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        regions = Prefetch("regions", queryset=Region.objects.order_by("name"))
        context["contacts"] = PressContact.objects.active().prefetch_related(regions)
        context["spokespeople"] = (
            Spokesperson.objects.filter(is_active=True)
            .select_related("photo")
            .prefetch_related(regions)
        )
        return context


def _vcard_response(card: str, slug: str) -> HttpResponse:
    response = HttpResponse(card, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.vcf"'
    return response


def spokesperson_vcard(request, slug):
    """``/press/spokespeople/<slug>.vcf``: an active spokesperson's contact card."""
    person = get_object_or_404(Spokesperson.objects.filter(is_active=True), slug=slug)
    site_settings = SiteSettings.load()
    note = "; ".join(
        f"{label}: {value}"
        for label, value in (
            ("Languages", person.languages),
            ("Speaks to", ", ".join(person.topic_list)),
        )
        if value
    )
    card = vcard(
        name=person.name,
        given_name=person.given_name,
        family_name=person.family_name,
        organisation=site_settings.name,
        role=person.role,
        # Without a direct address, journalists write to the press office.
        email=person.email or site_settings.press_email,
        phone=person.phone,
        note=note,
        url=absolute_url(person.get_absolute_url()),
    )
    return _vcard_response(card, person.slug)


def press_contact_vcard(request, pk):
    """``/press/contacts/<id>.vcf``: an active press officer's contact card."""
    contact = get_object_or_404(PressContact.objects.active(), pk=pk)
    site_settings = SiteSettings.load()
    card = vcard(
        name=contact.name,
        given_name=contact.given_name,
        family_name=contact.family_name,
        organisation=site_settings.name,
        role=contact.role,
        email=contact.email,
        phone=contact.phone,
        note=f"Time zone: {contact.get_time_zone_display()}",
        url=absolute_url(reverse("press:contacts")),
    )
    return _vcard_response(card, f"press-contact-{contact.pk}")


def rate_limited(request):
    """429 with a page that still gives a journalist a way through: the press e-mail."""
    response = TemplateResponse(request, "press/rate_limited.html", status=429)
    response["Retry-After"] = str(services.SUBMISSION_LIMIT[1])
    return response


def _live_for_downloads(slug):
    article = (
        Article.objects.live()
        .select_related("hero_photo")
        .prefetch_related("attachments", "spokespeople")
        .filter(slug=slug)
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


@require_safe
def media_kit(request, slug):
    """A live article's media kit (ZIP), or a 503 page while it is being built."""
    return downloads.media_kit_response(request, _live_for_downloads(slug))


@require_safe
def photo_download(request, slug, photo_id):
    """A live article's photo at full size, as a download."""
    return downloads.photo_download_response(_live_for_downloads(slug), photo_id)
