from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.tokens"
    label = "tokens"
