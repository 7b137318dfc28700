"""Odd and hostile requests against a running site on loopback: count the 5xx.

    .venv/bin/python bench/hostile.py --base http://127.0.0.1:8131 --requests 3000

Sends, over raw sockets (so nothing is cleaned up on the way), a fixed battery of odd
inputs to the public pages and the request plumbing: page numbers in other scripts and
of thousands of digits, junk filter values (unknown type, year=abc, from=2020-13-45, a
10 kB search, NUL bytes, broken percent-escapes, repeated parameters), paths beyond
Latin-1 on every method, Host headers with impossible ports, forms and reads declaring
charsets that cannot be read, garbage cookies and conditional headers. The battery is
repeated until ``--requests`` have gone. Form POSTs carry a real CSRF token, as a
browser's would.

Run it against gunicorn in production settings (page cache on, Redis) to see what
visitors would see. It talks to loopback addresses only, one request at a time, each
with a timeout. Exits non-zero if any answer is a 5xx or no answer at all, and prints
each such request once.
"""

import argparse
import ipaddress
import re
import socket
import sys
import time
from collections import Counter
from urllib.parse import quote, urlsplit

LOOPBACK_NAMES = {"localhost"}
FORMS = ["/press/inquiry/", "/press/alerts/", "/admin/login/"]


def loopback(host):
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Site:
    def __init__(self, base, timeout):
        parts = urlsplit(base)
        if parts.scheme != "http" or not loopback(parts.hostname or ""):
            sys.exit(f"{base}: only http:// on a loopback address")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.authority = f"{self.host}:{self.port}"
        self.timeout = timeout

    def send(self, method, target, *, headers=(), body=b"", host=None):
        """The status of one request (0: no answer), written byte for byte."""
        head = [f"{method} {target} HTTP/1.1".encode("latin-1", "surrogateescape")]
        head.append(b"Host: " + (host if host is not None else self.authority.encode()))
        for name, value in headers:
            head.append(name.encode() + b": " + value)
        if body or method in ("POST", "PUT"):
            head.append(b"Content-Length: " + str(len(body)).encode())
        head.append(b"Connection: close")
        raw = b"\r\n".join(head) + b"\r\n\r\n" + body
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(raw)
                answer = b""
                # The whole answer, up to 5 MB (a HEAD's ends with its headers).
                while len(answer) < 5_000_000:
                    chunk = sock.recv(65536)
                    if not chunk or (method == "HEAD" and b"\r\n\r\n" in answer + chunk):
                        answer += chunk
                        break
                    answer += chunk
        except OSError:
            return 0, b""
        match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
        return (int(match.group(1)) if match else 0), answer

    def form_token(self, path):
        """A CSRF cookie and the form's token, as a browser gets them."""
        _, answer = self.send("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer)
        cookie = re.search(rb"Set-Cookie: (csrftoken=[^;\r\n]+)", answer, re.IGNORECASE)
        return (cookie.group(1) if cookie else b""), (found.group(1) if found else b"")


def battery(slug, tokens):
    """(method, target, headers, body, host) tuples."""
    requests = []

    def get(target, headers=(), host=None, method="GET"):
        requests.append((method, target, list(headers), b"", host))

    huge_q = "asylum " * 1500  # about 10 kB
    values = {
        "page": [
            "%C2%B2",
            "%E2%91%A0",
            "%D9%A2",
            "%EF%BC%92",
            "9" * 5000,
            "9" * 40,
            "-1",
            "0",
            "last",
            "%00",
            "1%00",
            "2.0",
            "+2",
            "%202",
            "1_0",
            "99999999999",
        ],
        "type": [
            "unknown",
            "report%00",
            "%FF",
            "press-release&type=press-release" * 50,
            "REPORT",
            "x" * 5000,
        ],
        "year": [
            "abc",
            "99999",
            "0",
            "-2020",
            "%C2%B2%E2%81%B0%C2%B2%E2%81%B4",
            "2024%00",
            "9" * 5000,
        ],
        "from": [
            "2020-13-45",
            "0000-00-00",
            "9999-12-31",
            "2020-02-30",
            "abc",
            "%00",
            "2020-01-01T00:00",
            "1" * 5000,
        ],
        "to": ["2020-13-45", "0001-01-01", "9999-12-31", "%FF%FE"],
        "q": [
            quote(huge_q),
            "%00",
            "a%00b",
            "%FF%FE%FD",
            "%C0%AF",
            "%ED%A0%80",
            "'%22;--",
            "%E6%97%A5%E6%9C%AC",
            quote("<script>alert(1)</script>"),
            "%",
            "%ZZ",
            "+++",
        ],
        "region": ["zz", "%00", "americas%00", "x" * 3000, "MX", "%E2%80%AE"],
        "topic": ["%00", "x" * 3000, "..%2F..%2Fetc", "%F0%9F%92%A9"],
        "sort": ["relevance", "bogus", "%00", "-published_at"],
        "p": ["%C2%B9", "%D9%A1", "9" * 5000, "0", "-1", "%00"],
    }
    lists = ["/news/", "/news/feed/", "/news/feed/atom/"]
    for path in lists:
        for name, junk in values.items():
            for value in junk:
                get(f"{path}?{name}={value}")
        get(f"{path}?" + "&".join(f"type=report&region=mx&q=a{i}" for i in range(300)))
        get(f"{path}?page=2&page=%C2%B2&page=last&year=2020&year=abc")
        get(f"{path}?%00=%00&&&=&==&%FF=%FF")
    for value in values["page"]:
        get(f"/news/corrections/?page={value}")
    for value in values["p"]:
        get(f"/sitemap.xml?p={value}")
        get(f"/sitemap-articles.xml?p={value}")
    for name in ("type", "region", "topic", "q"):
        for value in values[name][:4]:
            get(f"/press/alerts/?{name}={value}")
    get("/press/inquiry/thanks/?ref=%00")
    get("/press/inquiry/thanks/?ref=" + "A" * 5000)

    odd_paths = [
        "/news/%E6%97%A5/",
        "/static/%F0%9F%92%A9.css",
        "/%E6%97%A5",
        "/news/%C3%A9/",
        "/news/feed/%F0%9F%92%A9",
        "/press/%D0%96/",
        "/news/%FF/",
        "/news/%00/",
        "/news/..%2F..%2Fetc%2Fpasswd",
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/media/%E6%97%A5.jpg",
        f"/news/{slug}/%E6%97%A5",
        f"/news/{slug}/photos/%E6%97%A5.jpg",
        "/embargo/%E6%97%A5/",
        "/press/alerts/confirm/%E6%97%A5/",
        "/press/spokespeople/%E6%97%A5.vcf",
        "/news/" + "a" * 4000 + "/",
    ]
    for path in odd_paths:
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"):
            get(path, method=method)
        get(path)  # a second GET: a page-cache hit if the first was stored

    hosts = [
        b"127.0.0.1:" + b"9" * 5000,
        b"127.0.0.1:99999",
        b"127.0.0.1:",
        b"127.0.0.1:abc",
        b"127.0.0.1:\xd9\xa2",
        b"127.0.0.1:000000080",
        b"[::1]:" + b"9" * 300,
        b"\xff\xfe",
        b"a" * 4000,
        b"127.0.0.1:80:80",
        b"",
        b"[::1",
        b"%00",
    ]
    for host in hosts:
        for path in ("/healthz", "/", "/news/", "/news/feed/", "/sitemap.xml", "/no-such/"):
            get(path, host=host)
            get(path, host=host, method="HEAD")

    charsets = [
        b"utf-16",
        b"utf-32",
        b"hex",
        b"zlib",
        b"rot13",
        b"punycode",
        b"idna",
        b"no-such",
        b"latin-1",
        b"cp500",
        b"utf8",
        b"UTF-8",
        b'"utf-8"',
        b"undefined",
    ]
    for charset in charsets:
        content_type = b"text/plain; charset=" + charset
        get("/news/?q=asylum%20%C3%A9", [("Content-Type", content_type)])
        get("/news/", [("Content-Type", content_type)])
    for content_type in [
        b"text/plain; charset*=nope''x",
        b"text/plain; " + b"a=b; " * 3000,
        b"multipart/form-data",
        b"multipart/form-data; boundary=",
        b"application/x-www-form-urlencoded; charset",
    ]:
        get("/news/?q=a", [("Content-Type", content_type)])
        for path in FORMS:
            requests.append(("POST", path, [("Content-Type", content_type)], b"a=b", None))

    for path in FORMS:
        cookie, token = tokens[path]
        fields = b"csrfmiddlewaretoken=" + token + b"&name=a&email=b%40example.org&x=%C3%A9"
        for charset in [*charsets, None]:
            content_type = b"application/x-www-form-urlencoded"
            if charset is not None:
                content_type += b"; charset=" + charset
            for body in (fields, fields.decode().encode("utf-16"), fields + b"&y=\xff\xfe"):
                headers = [("Content-Type", content_type), ("Cookie", cookie)]
                requests.append(("POST", path, headers, body, None))
        boundary = b"XyZ"
        multipart = (
            b'--XyZ\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            + token
            + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xff\xfe\r\n'
            b"--XyZ--\r\n"
        )
        for charset in (b"utf-16", b"hex", b"utf-8"):
            content_type = b"multipart/form-data; boundary=" + boundary + b"; charset=" + charset
            headers = [("Content-Type", content_type), ("Cookie", cookie)]
            requests.append(("POST", path, headers, multipart, None))

    odd_headers = [
        ("Cookie", b"sessionid=garbage; messages=garbage; csrftoken=" + b"x" * 3000),
        ("Cookie", b"\xff\xfe=\x00"),
        ("If-None-Match", b'"' + b"x" * 3000 + b'"'),
        ("If-Modified-Since", b"Thu, 99 Foo 2026 99:99:99 GMT"),
        ("If-Modified-Since", b"9" * 5000),
        ("X-Forwarded-For", b"not-an-ip, ::zz, 999.1.1.1"),
        ("X-Forwarded-Proto", b"https\x00"),
        ("X-Forwarded-Host", b"127.0.0.1:" + b"9" * 5000),
        ("Accept-Language", b"\xff" * 200),
        ("Accept-Encoding", b"gzip;q=" + b"9" * 5000),
        ("Range", b"bytes=0-1,2-3," * 200),
        ("Referer", b"\xff\xfe\x00"),
    ]
    for header in odd_headers:
        for path in (
            "/",
            "/news/",
            f"/news/{slug}/",
            "/news/feed/",
            "/healthz",
            "/press/inquiry/",
        ):
            get(path, [header])
    return requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8131")
    parser.add_argument("--requests", type=int, default=3000, help="how many to send")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    args = parser.parse_args()
    site = Site(args.base, args.timeout)

    status, answer = site.send("GET", "/news/")
    if status != 200:
        sys.exit(f"{args.base}/news/ answered {status}: is the site running?")
    slugs = re.findall(rb'href="(?:https?://[^/"]+)?/news/([a-z0-9-]+)/"', answer)
    slugs = [slug.decode() for slug in slugs if slug not in (b"feed", b"corrections")]
    slug = slugs[0] if slugs else "no-such-article"
    tokens = {path: site.form_token(path) for path in FORMS}
    requests = battery(slug, tokens)

    statuses = Counter()
    failures = {}
    started = time.monotonic()
    sent = 0
    while sent < args.requests:
        for method, target, headers, body, host in requests:
            if sent >= args.requests:
                break
            status, _ = site.send(method, target, headers=headers, body=body, host=host)
            sent += 1
            statuses[status] += 1
            if status == 0 or status >= 500:
                key = (
                    method,
                    target[:120],
                    tuple((n, v[:80]) for n, v in headers),
                    (host or b"")[:40],
                    body[:60],
                )
                failures.setdefault(key, status)
    elapsed = time.monotonic() - started
    print(f"{sent} requests ({len(requests)} distinct) in {elapsed:.1f} s to {args.base}")
    print("statuses:", ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items())))
    bad = sum(count for code, count in statuses.items() if code == 0 or code >= 500)
    print(f"5xx or no answer: {bad}")
    for (method, target, headers, host, body), status in failures.items():
        print(f"  {status} {method} {target} headers={headers} host={host!r} body={body!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
