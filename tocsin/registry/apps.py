from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.registry"
    label = "registry"
