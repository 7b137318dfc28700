from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from newsroom.cache import connect_signals  # noqa: PLC0415 - needs loaded apps

        connect_signals()
