"""Offers of download that the usage rights forbid are withdrawn (fail safe), unless
someone confirmed them; from then on the database refuses such an offer unconfirmed.

Only photos we own or under Creative Commons may be passed on to journalists
(``media_library.models.REDISTRIBUTABLE``, restated here as a migration must not import
live code). Downloads already made for the withdrawn photos stay in private storage and
are never served again (``Photo.download()`` reads the same rule); the renditions task
removes their files at the photo's next edit.
"""

from django.db import migrations, models

REDISTRIBUTABLE = ["creative-commons", "owned"]


def withdraw_offers_the_rights_forbid(apps, schema_editor):
    Photo = apps.get_model("media_library", "Photo")
    Photo.objects.filter(downloadable=True, download_confirmed_at__isnull=True).exclude(
        usage_rights__in=REDISTRIBUTABLE
    ).update(downloadable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("media_library", "0007_photo_download_confirmation"),
    ]

    operations = [
        # Nothing to undo: an offer withdrawn for want of rights is not put back.
        migrations.RunPython(withdraw_offers_the_rights_forbid, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='photo',
            constraint=models.CheckConstraint(condition=models.Q(('downloadable', False), ('usage_rights__in', ['creative-commons', 'owned']), ('download_confirmed_at__isnull', False), _connector='OR'), name='photo_download_allowed_by_rights', violation_error_message='These usage rights do not let us offer the photo for download unless someone confirms that its licence allows it.'),
        ),
    ]
