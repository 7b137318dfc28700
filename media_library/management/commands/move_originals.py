"""Move originals stored by older versions into private storage, stripped of metadata.

Before originals had their own storage they were kept in the public media storage
(``photos/originals/<year>/<month>/<uploaded name>``), with their GPS and camera data,
wherever MEDIA_ROOT or the bucket was served. This command, run once after upgrading
(and safe to run again), takes each such file, strips it exactly as an upload is
stripped, saves it under a random name in the ``originals`` storage, points the photo
at it and deletes the public copy. Renditions are untouched: they were already clean,
and the photo's checksum (of the file as first received) is kept.
"""

import hashlib
import sys

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from media_library.models import Photo
from media_library.services import clean_original
from media_library.storage import originals_storage


class Command(BaseCommand):
    help = (
        "Move photo originals left in the public media storage into private storage, "
        "stripped of location and camera data. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list what would be moved."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        private = originals_storage()
        moved = failed = 0
        photos = Photo.objects.order_by("pk").only("pk", "image")
        todo = [
            photo
            for photo in photos.iterator(chunk_size=500)
            if photo.image.name
            and not private.exists(photo.image.name)
            and default_storage.exists(photo.image.name)
        ]
        for photo in tqdm(
            todo, desc="Originals", unit="photo", disable=verbosity < 1, file=sys.stderr
        ):
            public_name = photo.image.name
            if dry_run:
                self.stdout.write(f"Photo {photo.pk}: {public_name}")
                continue
            try:
                self._move(photo, public_name)
            except (OSError, ValidationError) as exc:
                failed += 1
                self.stderr.write(f"Photo {photo.pk} ({public_name}): {exc}")
                continue
            moved += 1
        verb = "would move" if dry_run else "moved"
        count = len(todo) if dry_run else moved
        self.stdout.write(f"Originals {verb}: {count}; failed: {failed}.")
        if failed:
            raise CommandError(f"{failed} original(s) could not be moved.")

    def _move(self, photo, public_name):
        with default_storage.open(public_name, "rb") as fh:
            original, _sha256 = clean_original(fh)
        stored_sha256 = hashlib.sha256(original.read()).hexdigest()
        original.seek(0)
        with transaction.atomic():
            photo.image.save(original.name, original, save=False)
            Photo.objects.filter(pk=photo.pk).update(
                image=photo.image.name,
                file_size=original.size,
                stored_sha256=stored_sha256,
            )
            # The public copy goes only once the row points at the private one.
            transaction.on_commit(lambda: default_storage.delete(public_name))
