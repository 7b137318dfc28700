"""``manage.py sync_groupings``: recompute every article's stored regional groupings."""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.regions import SYNC_BATCH, sync_groupings


class Command(BaseCommand):
    help = (
        "Recompute the stored groupings (ArticleGrouping) of every article from its "
        "regions. The admin, the services and the importer keep them; run this after "
        "changing articles' regions by any other route (a shell, raw SQL)."
    )

    def handle(self, *args, **options):
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), SYNC_BATCH * 10):
            sync_groupings(ids[start : start + SYNC_BATCH * 10])
        self.stdout.write(f"Groupings checked for {len(ids)} articles.")
