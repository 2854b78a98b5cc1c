from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.intake"
    label = "intake"
