from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.cases"
    label = "cases"
