from django.db import migrations

from articles.regions_data import COUNTRIES, GROUPINGS


def install_regions(apps, schema_editor):
    Region = apps.get_model("articles", "Region")
    groupings = {}
    for slug, name, report_code in GROUPINGS:
        groupings[slug], _ = Region.objects.update_or_create(
            slug=slug, defaults={"name": name, "report_code": report_code}
        )
    for code, name, grouping in COUNTRIES:
        Region.objects.update_or_create(
            slug=code.lower(),
            defaults={"name": name, "iso_code": code, "parent": groupings[grouping]},
        )


def remove_regions(apps, schema_editor):
    Region = apps.get_model("articles", "Region")
    Region.objects.filter(parent__isnull=False).delete()
    Region.objects.filter(parent__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_initial")]

    operations = [migrations.RunPython(install_regions, remove_regions)]
