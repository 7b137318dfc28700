from django.db import migrations, models

NAME_HELP = "The full name as it is shown, e.g. “Inés Calder”."
GIVEN_NAME_HELP = (
    "For contact cards: the given name(s), e.g. “Inés”. Empty for someone known by one name."
)
FAMILY_NAME_HELP = (
    "For contact cards: the family name, however many words, e.g. “Calder” or “García "
    "Márquez”; for someone known by one name, that name."
)

# Lower-case words that begin a family name: "Luis de la Cruz", "Jan van der Berg".
PARTICLES = {
    "al", "bin", "binti", "bint", "da", "das", "de", "del", "della", "der", "di", "do",
    "dos", "du", "el", "ibn", "la", "le", "ten", "ter", "van", "von", "y",
}


def split_name(full_name):
    """A best guess at (given, family) for a name already stored whole: the family name
    starts at the first particle after the first word ("Luis | de la Cruz"), else it is
    the last word ("Ana María | Rivera"); one word is a family name. Staff correct the
    rest in the admin, which asks for both from now on."""
    words = full_name.split()
    if len(words) < 2:
        return "", full_name.strip()
    for index in range(1, len(words) - 1):
        if words[index] in PARTICLES:
            return " ".join(words[:index]), " ".join(words[index:])
    return " ".join(words[:-1]), words[-1]


def split_existing_names(apps, schema_editor):
    for model_name in ("Spokesperson", "PressContact"):
        model = apps.get_model("press", model_name)
        for person in model.objects.filter(family_name="").only("pk", "name"):
            person.given_name, person.family_name = split_name(person.name)
            person.save(update_fields=["given_name", "family_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("press", "0008_press_desk"),
    ]

    operations = [
        migrations.AlterField(
            model_name="spokesperson",
            name="name",
            field=models.CharField(help_text=NAME_HELP, max_length=150),
        ),
        migrations.AddField(
            model_name="spokesperson",
            name="given_name",
            field=models.CharField(blank=True, help_text=GIVEN_NAME_HELP, max_length=150),
        ),
        migrations.AddField(
            model_name="spokesperson",
            name="family_name",
            field=models.CharField(default="", help_text=FAMILY_NAME_HELP, max_length=150),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="presscontact",
            name="name",
            field=models.CharField(help_text=NAME_HELP, max_length=150),
        ),
        migrations.AddField(
            model_name="presscontact",
            name="given_name",
            field=models.CharField(blank=True, help_text=GIVEN_NAME_HELP, max_length=150),
        ),
        migrations.AddField(
            model_name="presscontact",
            name="family_name",
            field=models.CharField(default="", help_text=FAMILY_NAME_HELP, max_length=150),
            preserve_default=False,
        ),
        migrations.RunPython(split_existing_names, migrations.RunPython.noop),
    ]
