"""Make photo renditions in bulk: after an import, a new spec, or a storage move."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from media_library import renditions as rendition_maker
from media_library.models import Photo
from media_library.processing import photo_generate_renditions


class Command(BaseCommand):
    help = (
        "Generate renditions for photos. --missing (the default) only for photos whose "
        "renditions are absent or out of date; --all regenerates every photo."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--missing",
            action="store_true",
            help="Only photos without current renditions (the default).",
        )
        group.add_argument("--all", action="store_true", help="Regenerate every photo.")
        parser.add_argument("ids", nargs="*", type=int, help="Only these photo ids.")

    def handle(self, *args, **options):
        regenerate_all = options["all"]
        photos = Photo.objects.order_by("pk").only(
            "pk", "image", "sha256", "focal_x", "focal_y", "renditions"
        )
        if options["ids"]:
            photos = photos.filter(pk__in=options["ids"])
        if not regenerate_all:
            # Which are stale is decided in Python (the key hashes the checksum and the
            # focal point), reading only the columns that take.
            photos = [p for p in photos.iterator(chunk_size=500) if _needs_work(p)]
        else:
            photos = list(photos)

        made = failed = 0
        show_bar = options["verbosity"] >= 1
        for photo in tqdm(
            photos, desc="Renditions", unit="photo", disable=not show_bar, file=sys.stderr
        ):
            try:
                if photo_generate_renditions(photo=photo, force=regenerate_all):
                    made += 1
            except (OSError, ValidationError, ValueError) as exc:
                # One unreadable original must not stop a backfill of thousands.
                failed += 1
                self.stderr.write(f"Photo {photo.pk} ({photo.image.name}): {exc}")
        self.stdout.write(f"Renditions made for {made} photo(s); {failed} failed.")
        if failed:
            raise CommandError(f"{failed} photo(s) could not be processed.")


def _needs_work(photo) -> bool:
    if not photo.sha256:
        return True
    key = rendition_maker.renditions_key(
        sha256=photo.sha256, focal_x=photo.focal_x, focal_y=photo.focal_y
    )
    return not rendition_maker.is_current(photo.renditions, key)
