from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("attestations/<slug:token_id>/", views.attestation_certificate, name="attestation_certificate"),
    path("attestations/<slug:token_id>/certificate.pdf", views.attestation_certificate_pdf,
         name="attestation_certificate_pdf"),
]
