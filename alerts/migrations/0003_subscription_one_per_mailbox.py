import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_subscription_addresses_normalised"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                models.F("query"),
                name="alert_one_per_mailbox_filter",
            ),
        ),
    ]
