from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.alerts"
    label = "alerts"
