from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.accounts"
    label = "accounts"
