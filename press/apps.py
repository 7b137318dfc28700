from django.apps import AppConfig


def _listed(spokespeople):
    return spokespeople.filter(is_active=True)


class PressConfig(AppConfig):
    name = "press"
    verbose_name = "Press office"

    def ready(self):
        from core.cache import invalidate_on_change  # noqa: PLC0415 - needs loaded apps
        from media_library.usage import register_usage  # noqa: PLC0415 - apps are loaded

        # Spokespeople and press contacts show on /press/, spokespeople also on the
        # articles that quote them. Inquiries are deliberately absent: a flood of spam
        # must not empty the cache.
        invalidate_on_change(self.get_model("Spokesperson"), self.get_model("PressContact"))

        # A spokesperson's portrait cannot be deleted from the media library while shown,
        # and is public while the contacts page lists the spokesperson.
        register_usage(
            self.get_model("Spokesperson"),
            "photo",
            label_field="name",
            public=_listed,
        )

        from press import kit_requests  # noqa: PLC0415 - imports models

        # Media kits are rebuilt (by a task) when what they hold changes.
        kit_requests.connect_signals()
