from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.server"
    label = "server"
