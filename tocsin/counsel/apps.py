from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.counsel"
    label = "counsel"
