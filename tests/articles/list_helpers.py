"""Helpers for the newsroom list, feed and search tests."""

import xml.etree.ElementTree as ET

from articles.models import Article
from tests.factories import ArticleFactory, PhotoFactory, image_upload


def fake_renditions(key):
    """A Photo.renditions value in the media library's shape, without making the files."""

    def spec(name, widths, ratio, formats=("webp", "jpeg")):
        variants = [
            {
                "path": f"photos/renditions/{key}/{name}-{w}.{'jpg' if f == 'jpeg' else f}",
                "width": w,
                "height": w * ratio[1] // ratio[0],
                "format": f,
            }
            for f in formats
            for w in widths
        ]
        largest = [v for v in variants if v["format"] == "jpeg"][-1]
        return {**largest, "variants": variants}

    return {
        "_key": key,
        "card": spec("card", (320, 480, 640, 960), (16, 9)),
        "og": spec("og", (1200,), (1200, 630), formats=("jpeg",)),
    }


def photo_with_renditions(**kwargs):
    photo = PhotoFactory(image=image_upload("p.jpg", width=32, height=18), **kwargs)
    photo.renditions = fake_renditions(f"k{photo.pk}")
    photo.save(update_fields=["renditions"])
    return photo


def rich_articles(count, **kwargs):
    """Articles each with a photo, three regions and three topics: the query-count case."""
    return [
        ArticleFactory(
            hero_photo=photo_with_renditions(),
            regions=["americas", "mx", "us"],
            topics=["Refugees and migrants", "Asylum", f"Topic {n}"],
            **kwargs,
        )
        for n in range(count)
    ]


def parse_xml(content):
    """Parse a feed or sitemap this site produced."""
    return ET.fromstring(content)  # noqa: S314 - our own response, not untrusted input


def listed_articles(response):
    """The articles a list page shows, in order. The page holds their ids
    (``articles.pagination.Listed``): its cards come from the cache by id."""
    listed = list(response.context["articles"])
    rows = Article.objects.in_bulk([item.pk for item in listed])
    return [rows[item.pk] for item in listed]
