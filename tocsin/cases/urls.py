from django.urls import path

from .views import pages, records, sharing, triage

app_name = "cases"
case = "cases/<str:reference>/"
urlpatterns = [
    path("", pages.inbox, name="inbox"),
    path("state-times/", pages.state_times, name="state_times"),
    path(case, pages.case_detail, name="case"),
    path(f"{case}evidence/<str:public_id>/", pages.evidence, name="evidence"),
    path(f"{case}export/", pages.export, name="export"),
    path(f"{case}state/", triage.transition, name="transition"),
    path(f"{case}severity/", triage.severity, name="severity"),
    path(f"{case}assignee/", triage.assign, name="assign"),
    path(f"{case}labels/", triage.labels, name="labels"),
    path(f"{case}messages/", records.reply, name="reply"),
    path(f"{case}interventions/", records.intervention, name="intervention"),
    path(f"{case}referrals/", records.referral, name="referral"),
    path(f"{case}referrals/<str:public_id>/followed-up/", records.referral_followed_up,
         name="referral_followed_up"),
    path(f"{case}access/", sharing.access, name="access"),
    path(f"{case}access/grant/", sharing.grant, name="grant"),
    path(f"{case}access/revoke/", sharing.revoke, name="revoke"),
]
