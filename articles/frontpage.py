"""What the home page shows: a lead story, the latest news, reports and statements.

Each section is a lazy property, so a home page whose fragment is already cached
(``{% cached_fragment "home" %}`` in ``templates/home.html``) makes none of these
queries; a cold one makes one per section.
"""

from functools import cached_property

from articles.models import Article


class FrontPage:
    """The home page's sections. The lead is the article an editor pinned in the site
    settings while it is live, or else the newest; no other section repeats it."""

    latest_count = 6
    reports_count = 3
    statements_count = 4

    def __init__(self, *, pinned_id: int | None):
        self.pinned_id = pinned_id

    def _live(self):
        return Article.objects.listed().order_by("-published_at", "-id")

    @cached_property
    def lead(self) -> Article | None:
        # The lead shows its photo large: its renditions are needed, the body is not.
        live = self._live().select_related("hero_photo").defer("body")
        if self.pinned_id:
            pinned = live.filter(pk=self.pinned_id).first()
            if pinned is not None:
                return pinned
        return live.first()

    def _others(self, articles=None):
        articles = self._live().for_cards() if articles is None else articles
        return articles.exclude(pk=self.lead.pk) if self.lead else articles

    @cached_property
    def latest(self):
        return list(self._others()[: self.latest_count])

    @cached_property
    def reports(self):
        return list(self._others().filter(kind=Article.Kind.REPORT)[: self.reports_count])

    @cached_property
    def statements(self):
        return list(
            self._others(self._live())
            .filter(kind=Article.Kind.STATEMENT)
            .only("slug", "language", "title", "published_at", "kind")[: self.statements_count]
        )
