"""Where media files live, and under which names.

Two storages (the ``STORAGES`` setting):

- ``"originals"``: photos as uploaded (stripped of metadata), private. Locally a folder
  outside ``MEDIA_ROOT`` (``PRIVATE_MEDIA_ROOT``) with no URL at all; on S3 a private
  bucket or prefix whose objects are private and reachable only by signed URLs.
- ``"default"``: public files, served as they are by nginx or S3: renditions and
  documents. Their names carry a random component and the extension of the type that
  validation verified, never the uploader's; on S3 each object is stored with the
  Content-Type of that extension and, for documents, ``Content-Disposition: attachment``.
"""

import contextlib
import errno
import hashlib
import posixpath
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.text import slugify
from storages.backends.s3 import S3Storage

ORIGINALS_ALIAS = "originals"

# The only extensions a public or private media file is ever stored with, and the type
# each is served as. Names are made here, from the verified format, so nothing else occurs.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "pdf": "application/pdf",
}
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
DOCUMENTS_DIR = "documents/"


DISK_FULL_MESSAGE = (
    "The file could not be stored: the server's disk is full. Nothing was saved; try "
    "again later or tell the site administrator."
)


def is_disk_full(error: OSError) -> bool:
    """Whether a write failed for want of space (the disk, or the account's quota)."""
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def save_whole(storage, name: str, content, max_length=None) -> str:
    """``storage.save``, leaving no partial file when the write fails part way (a full
    disk, a dropped connection): what was written under ``name`` is deleted and the error
    raised again. For free names only (random ones, or deleted just before), so that
    what is deleted can only be this write's."""
    try:
        return storage.save(name, content, max_length=max_length)
    except OSError:
        remove_partial(storage, name)
        raise


def remove_partial(storage, name: str) -> None:
    # Best effort: the error being handled is the one to report.
    with contextlib.suppress(OSError):
        if storage.exists(name):
            storage.delete(name)


def random_token() -> str:
    """22 URL-safe characters (128 bits): a name no one can guess or enumerate."""
    return secrets.token_urlsafe(16)


def _extension(filename: str) -> str:
    ext = posixpath.splitext(filename)[1].lstrip(".").lower()
    return "jpg" if ext == "jpeg" else ext


def original_upload_to(instance, filename: str) -> str:
    """``originals/<year>/<month>/<random>.<ext>``; the services name the file after the
    verified format, so the extension is one of ours."""
    ext = _extension(filename)
    if ext not in IMAGE_EXTENSIONS.values():
        ext = "bin"
    return timezone.now().strftime("originals/%Y/%m/") + f"{random_token()}.{ext}"


def document_upload_to(instance, filename: str) -> str:
    """``documents/<random>/<readable-name>.pdf``: the random folder keeps the URL
    unguessable, the readable name is what a journalist's download is called. Only PDFs
    pass validation, so the extension is always ``.pdf`` whatever the upload was called."""
    stem = slugify(posixpath.splitext(posixpath.basename(filename))[0])[:60].strip("-")
    return f"{DOCUMENTS_DIR}{random_token()}/{stem or 'document'}.pdf"


def download_name(name: str) -> str:
    """The file name offered in ``Content-Disposition``: ASCII, no quotes or slashes."""
    stem, ext = posixpath.splitext(posixpath.basename(name))
    return f"{slugify(stem)[:80] or 'download'}{ext.lower()}"


class PrivateFileSystemStorage(FileSystemStorage):
    """Local originals: a folder outside MEDIA_ROOT, and no URL.

    ``url()`` refuses rather than fall back to MEDIA_URL as FileSystemStorage would: a
    template or admin widget that tried to link an original must fail loudly in tests.
    """

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("location", None)

    def url(self, name):
        raise PrivateFileError("Originals are private and have no URL.")

    def _save(self, name, content):
        # Originals and downloads: a failed write leaves no partial file. Their names are
        # random or deleted just before, so the file under ``name`` is this write's.
        try:
            return super()._save(name, content)
        except OSError:
            remove_partial(self, name)
            raise


class PrivateFileError(ValueError):
    """Asked for the public URL of a private file."""


class PublicMediaS3Storage(S3Storage):
    """S3 for public media, with each object's type decided by our own naming.

    django-storages would otherwise store the Content-Type the browser declared for an
    upload; here it comes from the extension we gave the file after verifying it, and
    documents are stored as downloads (``Content-Disposition: attachment``) so that a
    PDF viewer, not the site's origin, opens them.
    """

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params.update(object_parameters_for(name))
        return params


def object_parameters_for(name: str) -> dict:
    content_type = CONTENT_TYPES.get(_extension(name), "application/octet-stream")
    params = {"ContentType": content_type}
    if name.startswith(DOCUMENTS_DIR) or not content_type.startswith("image/"):
        params["ContentDisposition"] = f'attachment; filename="{download_name(name)}"'
    return params


class DocumentStorage(Storage):
    """Documents' files: public media storage, or the private storage while withheld.

    A document nothing public offers is kept out of public storage
    (``media_library.gating``), under the same name; reading it (the media kit, an
    export, the embargo page's download) works wherever it is. A new file is withheld
    like its document (``Document.withheld`` starts true), so it is written to private
    storage and moved out only once a live article offers it. URLs are always the public
    storage's: a URL of a withheld file is never handed out (see ``locations.document_url``).
    """

    def _public(self):
        return storages["default"]

    def _where(self, name):
        public = self._public()
        if public.exists(name):
            return public
        private = originals_storage_object
        return private if private.exists(name) else public

    def _open(self, name, mode="rb"):
        return self._where(name).open(name, mode)

    def save(self, name, content, max_length=None):
        # Names carry a random folder (``document_upload_to``): free, so save_whole holds.
        return save_whole(originals_storage_object, name, content, max_length=max_length)

    def generate_filename(self, filename):
        return originals_storage_object.generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return originals_storage_object.get_available_name(name, max_length=max_length)

    def delete(self, name):
        for storage in (self._public(), originals_storage_object):
            if storage.exists(name):
                storage.delete(name)

    def exists(self, name):
        return self._public().exists(name) or originals_storage_object.exists(name)

    def size(self, name):
        return self._where(name).size(name)

    def path(self, name):
        return self._where(name).path(name)

    def url(self, name):
        return self._public().url(name)


def document_storage():
    """The storage of ``Document.file`` (a callable, so migrations name it)."""
    return DocumentStorage()


class _OriginalsStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages[ORIGINALS_ALIAS]


originals_storage_object = _OriginalsStorage()


def originals_storage():
    """The private storage of originals (a callable, so that migrations name it and
    tests can point it elsewhere)."""
    return originals_storage_object


@receiver(setting_changed)
def _reset_originals_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        originals_storage_object._wrapped = empty


def sha256_and_size(file) -> tuple[str, int]:
    """The checksum and size of a file's content, read from its start."""
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size
