"""Which of the project's lines a warm public request runs: a line trace of one.

    DATABASE_URL=postgres://…/newsroom_bench_head_100000 REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/hit_path.py /news/ --root .

Runs in the checkout given by ``--root`` (its settings, its code; run it with that
checkout's Python, so an older commit can be measured with this script). Builds the WSGI
application gunicorn serves (``newsroom.wsgi``, production settings), sends it the URL a
few times so every cache it keeps is warm, then traces one more request (``sys.settrace``)
and counts the distinct lines executed in the checkout's own files (not Django's, not
the virtualenv's), per file and in all. Environment variables (``PAGE_CACHE`` for a
checkout that still had one) choose what "warm" means.
"""

import argparse
import io
import os
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--warm", type=int, default=5, help="Requests before the traced one.")
    parser.add_argument("--files", action="store_true", help="List the lines per file.")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_ENV", "production")
    os.environ.setdefault("SECRET_KEY", "hit-path-" + "x" * 50)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

    from newsroom.wsgi import application

    path, _, query = args.url.partition("?")

    def request():
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status = []
        body = b"".join(application(environ, lambda s, h, *a: status.append((s, h))))
        return status[0], body

    for _ in range(args.warm):
        request()
    executed = {}
    own = f"{root}{os.sep}"
    venv = f"{root}{os.sep}.venv{os.sep}"

    def trace(frame, event, arg):
        name = frame.f_code.co_filename
        if not name.startswith(own) or name.startswith(venv) or name == __file__:
            return None  # not the project's: no line events for this frame

        def lines(frame, event, arg):
            if event == "line":
                executed.setdefault(name, set()).add(frame.f_lineno)
            return lines

        return lines(frame, event, arg)

    sys.settrace(trace)
    try:
        (status, headers), body = request()
    finally:
        sys.settrace(None)
    files = sorted(executed)
    total = 0
    served = dict(headers).get("X-Page-Cache", "")
    print(f"{args.url}: {status}, {len(body):,} bytes, X-Page-Cache: {served or '-'}")
    for name in files:
        lines = sorted(executed[name])
        total += len(lines)
        relative = Path(name).relative_to(root)
        print(f"  {len(lines):4d}  {relative}" + (f"  {lines}" if args.files else ""))
    print(f"TOTAL {total} lines in {len(files)} files")


if __name__ == "__main__":
    main()
