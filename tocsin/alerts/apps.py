from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.alerts"
    label = "alerts"

    def ready(self) -> None:
        from . import announcements, sla

        sla.connect()  # SLA timers start and stop with the case events
        announcements.connect()  # the immediate alerts: new report, reporter's reply
