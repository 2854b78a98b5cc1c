from django.apps import AppConfig


class Config(AppConfig):
    name = "tocsin.enrolment"
    label = "enrolment"

    def ready(self) -> None:
        from tocsin.attestations.signals import attestation_checked

        from . import notices

        attestation_checked.connect(
            notices.on_attestation_checked, dispatch_uid="enrolment.certificate_checked"
        )
