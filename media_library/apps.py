from django.apps import AppConfig


class MediaLibraryConfig(AppConfig):
    name = "media_library"
    verbose_name = "Media library"

    def ready(self):
        from core.cache import invalidate_on_change  # noqa: PLC0415 - needs loaded apps
        from media_library import usage, visibility  # noqa: PLC0415 - needs loaded apps

        # Photos and documents show on article pages, cards and feeds.
        invalidate_on_change(
            self.get_model("Photo"), self.get_model("PhotoText"), self.get_model("Document")
        )
        # Every use that can make media public, whichever app registers it and whenever.
        usage.on_public_use(visibility.watch)
