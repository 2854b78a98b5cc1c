from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.audit"
    label = "audit"
