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

        from outbox import sweeps  # noqa: PLC0415 - apps are loaded
        from outbox.signals import message_sent  # noqa: PLC0415 - apps are loaded
        from press import kit_requests, tasks  # noqa: PLC0415 - imports models

        # A reply marks its inquiry answered once the outbox has sent it; the worker
        # queues what a lost task left unqueued (and what was owed at the upgrade).
        message_sent.connect(tasks.message_sent, dispatch_uid="press.message_sent")
        sweeps.register("press.catch_up", tasks.catch_up, every=60)

        # Media kits are rebuilt (by a task) when what they hold changes.
        kit_requests.connect_signals()
