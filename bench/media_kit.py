"""How long the worker takes to make the media kit of an article with 10 photos.

    .venv/bin/python bench/media_kit.py                    # 10 photos of 3000 x 2000
    .venv/bin/python bench/media_kit.py --photos 10 --width 6000 --height 4000 --runs 5

In one process, on a throw-away SQLite database and media folders under a temporary
directory (nothing else is touched): creates the photos through the media library's
services (stripped originals, as an upload does), times the renditions task's work per
photo with the full-size download split out, then times ``press.media_kit.build``,
the function the ``build_media_kit`` task runs, from a cold start (``--runs`` times,
after changing the summary so each run builds a new version), and reports the ZIP's size.

The content model gives an article one (hero) photo; to measure a kit of 10 photos, the
build's list of photos (``media_kit.article_photos``) is replaced by the 10 photos here.
Everything else (the version, the release text, ``CREDITS.csv``, copying each download
into the ZIP, storing it) is the code the worker runs.

The photos are smooth gradients with sensor-like noise: their downloads are 0.6-0.8 MB
each at 3000 x 2000 (a real photo of that size is often 2-3 MB; copying into the ZIP
grows with the bytes, the encoding with the pixels). The temporary folder is removed at
the end unless ``--keep``.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def photographic_jpeg(width, height, seed):
    import io

    from PIL import Image, ImageFilter

    base = Image.linear_gradient("L").resize((width, height))
    red = base.rotate(seed * 37 % 360).resize((width, height))
    noise = Image.effect_noise((width, height), 24 + seed).filter(ImageFilter.GaussianBlur(0.6))
    image = Image.merge("RGB", (red, base, noise))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--width", type=int, default=3000)
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="media-kit-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from io import StringIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from articles.models import Article
    from media_library import downloads
    from media_library.processing import photo_generate_renditions
    from media_library.services import document_create, photo_create
    from press import media_kit
    from press.models import MediaKit

    call_command("migrate", verbosity=0, stdout=StringIO())
    tasks = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=tasks):
        print(f"{args.photos} photos of {args.width} x {args.height}, in {workdir}")
        photos, renditions_s, download_s = [], [], []
        for n in range(args.photos):
            data = photographic_jpeg(args.width, args.height, n)
            photo = photo_create(
                file=SimpleUploadedFile(f"p{n}.jpg", data, "image/jpeg"),
                alt_text=f"Photo {n}",
                caption=f"Caption of photo {n}.",
                credit=f"Photo by Photographer {n} / Agency",
                copyright="Agency",
                # Rights that let the kit hold the photos it times.
                usage_rights="creative-commons",
                usage_notes="CC BY 4.0, with credit",
                generate_renditions=False,
            )
            started = time.perf_counter()
            downloads.generate(photo)
            download_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            with transaction.atomic():
                photo_generate_renditions(photo=photo)
            renditions_s.append(time.perf_counter() - started)
            photo.refresh_from_db()
            photos.append(photo)

        pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n" + b"%" + b"x" * 2_000_000 + b"\n")
        article = Article.objects.create(
            kind=Article.Kind.REPORT,
            title="A report with ten photos",
            slug="ten-photos",
            summary="Run 0",
            body="<p>" + "Findings. " * 2000 + "</p>",
            status=Article.Status.PUBLISHED,
            hero_photo=photos[0],
        )
        article.attachments.add(document_create(file=pdf, title="Full report"))

        media_kit.article_photos = lambda a: [(p, p.caption) for p in photos]
        build_s = []
        for run in range(args.runs):
            Article.objects.filter(pk=article.pk).update(summary=f"Run {run + 1}")
            started = time.perf_counter()
            with transaction.atomic():
                assert media_kit.build(article.pk)
            build_s.append(time.perf_counter() - started)
        kit = MediaKit.objects.get(article=article)

    sizes = [p.download().size for p in photos]
    print(
        f"full-size download per photo (decode, strip, encode, XMP): "
        f"median {statistics.median(download_s):.2f} s, max {max(download_s):.2f} s; "
        f"files {min(sizes) / 1e6:.1f}-{max(sizes) / 1e6:.1f} MB"
    )
    print(
        f"renditions task per photo (renditions + download): "
        f"median {statistics.median(renditions_s):.2f} s"
    )
    print(
        f"media kit build ({args.photos} photos + 2 MB PDF + text + CREDITS.csv, "
        f"{kit.size / 1e6:.1f} MB ZIP): "
        f"median {statistics.median(build_s):.2f} s, min {min(build_s):.2f} s, "
        f"max {max(build_s):.2f} s over {args.runs} runs"
    )
    if not args.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
