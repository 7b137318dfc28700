r"""Site-wide hardening that Django's own middleware does not cover.

- A Permissions-Policy header on every response.
- The admin gets a relaxed Content-Security-Policy (its rich-text editor injects an
  import map and a style element) so that the public policy can stay strict.
- Uploaded files served by Django (development) are never rendered by the browser as a
  page: nosniff, a sandboxing policy, and non-images are downloads. In production the
  web server or object storage must send the same headers, e.g. nginx (add_header is
  not inherited by a location that has its own, hence the repetition)::

      location /media/ {
          root /srv/newsroom;  # files in /srv/newsroom/media/
          add_header X-Content-Type-Options nosniff always;
          add_header Content-Security-Policy "default-src 'none'; sandbox" always;
          add_header Content-Disposition attachment always;
          location ~* \.(jpe?g|png|webp|gif|avif)$ {
              add_header X-Content-Type-Options nosniff always;
              add_header Content-Security-Policy "default-src 'none'; sandbox" always;
          }
      }

  On S3, serve media from its own domain (AWS_S3_CUSTOM_DOMAIN, which the img-src of the
  policy then allows) and store documents with ContentDisposition "attachment".
- ``client_ip``: the visitor's address, honouring a reverse proxy only when told to;
  shared by the admin login throttle (django-axes) and the inquiry form's rate limit.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.csp import CSP

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

# What an uploaded file may be displayed as; anything else is downloaded.
INLINE_MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"}
# Types a browser would execute or render as a document; served as opaque bytes instead.
ACTIVE_CONTENT_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
}
MEDIA_CSP = "default-src 'none'; sandbox"


def admin_csp():
    """The public policy, plus the inline script and style the admin's editor needs."""
    policy = dict(settings.SECURE_CSP)
    policy["script-src"] = [CSP.SELF, CSP.UNSAFE_INLINE]
    policy["style-src"] = [CSP.SELF, CSP.UNSAFE_INLINE]
    policy["img-src"] = [*policy.get("img-src", [CSP.SELF]), "blob:"]
    return policy


def _is_local_media(path):
    media_url = settings.MEDIA_URL
    return bool(media_url) and not urlsplit(media_url).netloc and path.startswith(media_url)


class SecurityHeadersMiddleware:
    """Must sit after (inside) ContentSecurityPolicyMiddleware, whose response hook then
    sees the per-response policy chosen here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path.startswith(f"/{settings.ADMIN_URL}"):
            response._csp_config = admin_csp()
        elif _is_local_media(request.path):
            self._harden_media(response)
        return response

    @staticmethod
    def _harden_media(response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type in ACTIVE_CONTENT_TYPES:
            response["Content-Type"] = "application/octet-stream"
        if content_type not in INLINE_MEDIA_TYPES:
            response["Content-Disposition"] = "attachment"
        response["X-Content-Type-Options"] = "nosniff"
        # Set here, so the site-wide middleware leaves it alone.
        # A plain str: WSGI servers refuse header names of any other type, enums included.
        response["Content-Security-Policy"] = MEDIA_CSP


def client_ip(request):
    """The visitor's IP address.

    Behind a reverse proxy (``BEHIND_PROXY``), the address the nearest trusted proxy
    appended to X-Forwarded-For; the left-hand entries are whatever the client sent and
    cannot be trusted. Otherwise the connection's address.
    """
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        proxies = max(getattr(settings, "PROXY_COUNT", 1), 1)
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
