from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.screening"
    label = "screening"

    def ready(self) -> None:
        from . import signals
        signals.connect()
