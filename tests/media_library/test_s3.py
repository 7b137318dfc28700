"""The S3 path for real: a local S3-compatible server (moto's server mode) on 127.0.0.1.

The storages are configured as newsroom/settings.py configures them when
AWS_STORAGE_BUCKET_NAME is set, pointed at the local server. moto enforces object ACLs
for anonymous requests as S3 does, so "not readable by the public" is checked by asking
as the public.
"""

import io
import re
import socket
import urllib.error
import urllib.request

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer
from PIL import ExifTags, Image

from media_library.processing import photo_generate_renditions
from media_library.renditions import stored_paths
from media_library.services import document_create, photo_create, photo_delete
from media_library.storage import originals_storage
from tests.factories import ArticleFactory, SpokespersonFactory
from tests.media_library import images

pytestmark = pytest.mark.django_db

PUBLIC_BUCKET = "newsroom-media"
PRIVATE_BUCKET = "newsroom-originals"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _free_port():
    for port in range(18400, 18500):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port in 18400-18499")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, request):
    """Fresh buckets and the two storages on S3; param: a separate private bucket or a
    private prefix of the public one."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    separate = getattr(request, "param", True)
    for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
        client.create_bucket(Bucket=bucket)
    connection = {**CREDENTIALS, "endpoint_url": s3_endpoint, "file_overwrite": False}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "media_library.storage.PublicMediaS3Storage",
            "OPTIONS": {
                **connection,
                "bucket_name": PUBLIC_BUCKET,
                # What a bucket policy granting public read does in production.
                "default_acl": "public-read",
                "querystring_auth": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000"},
            },
        },
        "originals": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **connection,
                "bucket_name": PRIVATE_BUCKET if separate else PUBLIC_BUCKET,
                "location": "" if separate else "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
    }
    yield client, (PRIVATE_BUCKET if separate else PUBLIC_BUCKET), ("" if separate else "private/")
    for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


def _anonymous_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


@pytest.mark.parametrize(
    "s3", [True, False], ids=["private-bucket", "private-prefix"], indirect=True
)
def test_photo_on_s3_private_clean_original_and_public_clean_renditions(
    s3, s3_endpoint, django_capture_on_commit_callbacks
):
    client, private_bucket, prefix = s3
    photo = photo_create(
        file=images.upload("gps.html", images.jpeg_with_gps(), "text/html"),
        alt_text="A crossing",
        generate_renditions=False,
    )
    assert photo_generate_renditions(photo=photo)
    # Nothing public uses it yet: its renditions are private until something does.
    paths = stored_paths(photo.renditions)
    assert photo.rendition("card").url.startswith("/files/photo/")
    for path in paths:
        assert client.head_object(Bucket=private_bucket, Key=prefix + path)
        assert _anonymous_get(f"{s3_endpoint}/{PUBLIC_BUCKET}/{path}")[0] in (403, 404)
    with django_capture_on_commit_callbacks(execute=True):
        SpokespersonFactory(photo=photo)
    photo.refresh_from_db()
    assert not photo.withheld

    # The original: private, clean, typed by its verified format, only via a signed URL.
    key = prefix + photo.image.name
    assert re.fullmatch(r"(private/)?originals/\d{4}/\d{2}/[\w-]{22}\.jpg", key)
    stored = client.get_object(Bucket=private_bucket, Key=key)
    assert stored["ContentType"] == "image/jpeg"
    original = stored["Body"].read()
    assert b"Secret Camera Co" not in original
    assert not Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    grants = client.get_object_acl(Bucket=private_bucket, Key=key)["Grants"]
    assert not any("AllUsers" in str(grant.get("Grantee")) for grant in grants)
    assert _anonymous_get(f"{s3_endpoint}/{private_bucket}/{key}")[0] == 403
    signed = photo.image.url
    assert "Signature=" in signed
    assert _anonymous_get(signed)[0] == 200

    # Renditions: public, clean, with the type of their own format.
    for rendition in [*photo.rendition_set("card"), *photo.rendition_set("card", "webp")]:
        assert rendition.url.startswith(f"{s3_endpoint}/{PUBLIC_BUCKET}/photos/renditions/")
        status, headers, body = _anonymous_get(rendition.url)
        assert status == 200
        assert headers["Content-Type"] == f"image/{rendition.format}"
        assert "Content-Disposition" not in headers
        assert b"Secret Camera Co" not in body and b"Exif" not in body
    assert not any(
        "originals" in item["Key"]
        for item in client.list_objects_v2(Bucket=PUBLIC_BUCKET).get("Contents", [])
        if private_bucket != PUBLIC_BUCKET
    )


def test_document_on_s3_is_a_typed_attachment_whatever_the_browser_said(
    s3, s3_endpoint, django_capture_on_commit_callbacks
):
    client, _bucket, _prefix = s3
    document = document_create(
        file=images.upload("Facing Walls.html", b"%PDF-1.4\n<html>x</html>\n%%EOF\n", "text/html"),
        title="Full report",
    )
    assert re.fullmatch(r"documents/[\w-]{22}/facing-walls\.pdf", document.file.name)
    # Private until a live article offers it.
    assert _anonymous_get(f"{s3_endpoint}/{PUBLIC_BUCKET}/{document.file.name}")[0] in (403, 404)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory().attachments.add(document)
    head = client.head_object(Bucket=PUBLIC_BUCKET, Key=document.file.name)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentDisposition"] == 'attachment; filename="facing-walls.pdf"'
    status, headers, body = _anonymous_get(document.file.url)
    assert status == 200 and body.startswith(b"%PDF-")
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment")


def test_deleting_a_photo_on_s3_removes_its_original_and_renditions(
    s3, django_capture_on_commit_callbacks
):
    client, private_bucket, prefix = s3
    photo = photo_create(
        file=images.upload("a.jpg", images.jpeg_with_gps()),
        alt_text="A",
        generate_renditions=False,
    )
    photo_generate_renditions(photo=photo)
    folder = f"photos/renditions/{photo.pk}/"
    assert originals_storage().listdir(folder)[1]
    name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)
    assert not originals_storage().exists(name)
    assert originals_storage().listdir(folder)[1] == []
    assert default_storage.listdir(folder)[1] == []
    assert (
        client.list_objects_v2(Bucket=private_bucket, Prefix=prefix + "originals/")["KeyCount"]
        == 0
    )
