"""The press office: the people journalists can reach and quote."""

from django.db import models


class Spokesperson(models.Model):
    """Someone journalists can request for an interview, quoted in articles."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    role = models.CharField(max_length=200, help_text='For example "Americas Director".')
    expertise = models.TextField(
        blank=True, help_text="Subjects this person can speak on, one short paragraph."
    )
    languages = models.CharField(
        max_length=200, blank=True, help_text='Languages for interviews, e.g. "English, Spanish".'
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    photo = models.ForeignKey(
        "media_library.Photo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spokespeople",
    )
    regions = models.ManyToManyField("articles.Region", blank=True, related_name="spokespeople")
    is_active = models.BooleanField(
        default=True, help_text="Untick to hide from the press contacts page."
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "spokespeople"

    def __str__(self):
        return f"{self.name}, {self.role}"
