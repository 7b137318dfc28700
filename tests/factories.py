"""factory_boy factories for the content model."""

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Region
from media_library.models import Document, Photo
from press.models import MediaInquiry, PressContact, Spokesperson


def image_bytes(width=1200, height=800, fmt="JPEG", color=(180, 40, 40)):
    """A real image file of the given size and format, in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def image_upload(name="photo.jpg", **kwargs):
    fmt = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}[
        name.rsplit(".", 1)[-1].lower()
    ]
    return SimpleUploadedFile(name, image_bytes(fmt=fmt, **kwargs), content_type=f"image/{fmt}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    image = factory.LazyFunction(lambda: image_upload("photo.jpg", width=1600, height=900))
    title = factory.Sequence(lambda n: f"Photo {n}")
    alt_text = "Protesters hold banners in a city square"
    caption = "A demonstration in the capital."
    credit = "Photo by Jane Doe / Agency"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.4\n%test\n")
    title = "Full report"
    language = "en"


class SpokespersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spokesperson

    name = factory.Sequence(lambda n: f"Spokesperson {n}")
    slug = factory.Sequence(lambda n: f"spokesperson-{n}")
    role = "Regional Director"


class PressContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PressContact

    name = factory.Sequence(lambda n: f"Press Officer {n}")
    role = "Press Officer, Americas"
    email = factory.Sequence(lambda n: f"press{n}@example.org")
    phone = "+1 212 555 0100"


class MediaInquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaInquiry

    name = "Jane Reporter"
    email = factory.Sequence(lambda n: f"reporter{n}@example.com")
    outlet = "The Daily Example"
    subject = "Request for comment on the detentions"
    message = "Could a spokesperson comment on the detentions before 5 pm?"
    consent = True


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    kind = Article.Kind.PRESS_RELEASE
    title = factory.Sequence(lambda n: f"Authorities must release detained activists {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "The authorities must immediately release the activists detained last week."
    body = "<p>The activists were detained after a peaceful protest.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(
                [r if isinstance(r, Region) else Region.objects.get(slug=r) for r in extracted]
            )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


def make_photo(*, generate_renditions=True, **kwargs):
    """``photo_create`` followed by what the worker does after commit.

    Tests run inside a transaction that never commits, so the renditions task that
    ``photo_create`` enqueues on commit would never run; this runs the same service.
    """
    from media_library.processing import photo_generate_renditions
    from media_library.services import photo_create

    photo = photo_create(generate_renditions=False, **kwargs)
    if generate_renditions:
        photo_generate_renditions(photo=photo)
    return photo
