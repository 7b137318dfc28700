"""Public pages of the press office: the media inquiry form and the press contacts."""

from django.core import signing
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from articles.models import NewsroomSettings, Region
from newsroom.security import client_ip
from press import services
from press.forms import MediaInquiryForm
from press.models import PressContact, Spokesperson

REFERENCE_SALT = "press.inquiry.reference"
REFERENCE_MAX_AGE = 60 * 60 * 24


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
        inquiry = services.inquiry_submit(
            data=form.cleaned_data,
            ip=ip,
            user_agent=self.request.headers.get("user-agent", ""),
            spam_reason=form.spam_reason,
            rate_limit_skipped=self.rate_limit_skipped,
        )
        services.inquiry_submissions.hit(ip or "unknown")
        # Spam gets the same answer as a person: a bot learns nothing from it.
        token = signing.dumps(inquiry.reference, salt=REFERENCE_SALT)
        response = HttpResponseRedirect(f"{reverse('press:inquiry_thanks')}?ref={token}")
        # 303 See Other: the thank-you page is fetched with GET, never a re-POST.
        response.status_code = 303
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["newsroom"] = NewsroomSettings.load()
        return context


class InquiryThanksView(TemplateView):
    template_name = "press/inquiry_thanks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["reference"] = signing.loads(
                self.request.GET.get("ref", ""), salt=REFERENCE_SALT, max_age=REFERENCE_MAX_AGE
            )
        except signing.BadSignature:
            context["reference"] = None
        context["newsroom"] = NewsroomSettings.load()
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
        context["newsroom"] = NewsroomSettings.load()
        return context


def rate_limited(request):
    """429 with a page that still gives a journalist a way through: the press e-mail."""
    response = TemplateResponse(
        request,
        "press/rate_limited.html",
        {"newsroom": NewsroomSettings.load()},
        status=429,
    )
    response["Retry-After"] = str(services.SUBMISSION_LIMIT[1])
    return response
