from django.apps import AppConfig


class PressConfig(AppConfig):
    name = "press"
    verbose_name = "Press office"

    def ready(self):
        from media_library.usage import register_usage  # noqa: PLC0415 - apps are loaded

        # A spokesperson's portrait cannot be deleted from the media library while shown.
        register_usage(self.get_model("Spokesperson"), "photo", label_field="name")
