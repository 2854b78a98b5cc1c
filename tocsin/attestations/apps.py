from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.attestations"
    label = "attestations"
