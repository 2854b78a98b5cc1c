from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.demands"
    label = "demands"
