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
- Trusted proxies (the ``TRUSTED_PROXIES`` setting): forwarded headers are believed only
  from them. ``TrustedProxyMiddleware`` drops ``X-Forwarded-*`` sent from anywhere else,
  so ``X-Forwarded-Proto`` cannot fake HTTPS, and ``client_ip`` is the visitor's address,
  shared by the admin login throttle (django-axes) and the inquiry form's rate limit.
"""

import ipaddress
from functools import lru_cache
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


# What a proxy may tell us about the client; from anyone else they are lies or noise.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


def _address(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


# Every request asks about its peer, and a site sees few proxies: remember the answers
# (keyed by the setting too, so a changed setting is never answered from memory).
@lru_cache(maxsize=1024)
def _is_trusted(address, trusted):
    ip = _address(address)
    return ip is not None and any(
        ip in ipaddress.ip_network(item, strict=False) for item in trusted
    )


def is_trusted_proxy(address):
    """Whether ``address`` (a string) is one of the ``TRUSTED_PROXIES``."""
    return bool(address) and _is_trusted(address, tuple(settings.TRUSTED_PROXIES))


class TrustedProxyMiddleware:
    """First in the chain: a request that does not come from a trusted proxy loses its
    forwarded headers, so nothing later (HTTPS detection through SECURE_PROXY_SSL_HEADER,
    the client address) can be told a story by the visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def client_ip(request):
    """The visitor's IP address, as a string (``None`` if unknown).

    The connection's address, unless that is a trusted proxy: then X-Forwarded-For is
    read from the right (each proxy appends the address it saw) past every trusted
    proxy, and the first address that is not one is the client. Entries further left
    were written by the client and are never believed.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = remote
    for entry in reversed(forwarded):
        ip = _address(entry)
        if ip is None:
            # Not an address: the chain of proxies we can vouch for ends here.
            break
        client = str(ip)
        if not is_trusted_proxy(client):
            break
    return client
