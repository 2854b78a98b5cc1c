from django.urls import path

from . import staff, views

# No app namespace: the public page's name is ``enrol``, as other apps link to it.
staff_application = "staff/enrolment/<str:reference>/"
staff_organisation = "staff/enrolment/organisations/<str:ref>/"
urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/status/", views.enrol_status, name="enrol_status"),
    path("enrol/status/update/", views.enrol_update, name="enrol_update"),
    path("enrol/status/vault/", views.enrol_vault, name="enrol_vault"),
    path("enrol/status/vault/<str:public_id>/", views.enrol_vault_download, name="enrol_vault_download"),
    path("staff/enrolment/", staff.review_list, name="enrolment_review"),
    path(staff_organisation, staff.review_organisation, name="enrolment_organisation"),
    path(
        f"{staff_organisation}update/", staff.review_organisation_update, name="enrolment_organisation_update"
    ),
    path(
        f"{staff_organisation}vault/<str:public_id>/",
        staff.review_vault_download,
        name="enrolment_vault_download",
    ),
    path(staff_application, staff.review_application, name="enrolment_application"),
    path(f"{staff_application}evidence/<str:public_id>/", staff.review_evidence, name="enrolment_evidence"),
    path(f"{staff_application}approve/", staff.approve, name="enrolment_approve"),
    path(f"{staff_application}reject/", staff.reject, name="enrolment_reject"),
    path(f"{staff_application}vouch/", staff.vouch, name="enrolment_vouch"),
]
