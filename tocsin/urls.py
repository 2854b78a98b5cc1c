from django.urls import include, path
from django.views.generic import RedirectView
from ninja import NinjaAPI

from tocsin.intake import views as intake_views
from tocsin.intake.api import router as intake_api

# No interactive docs: they load scripts from a third party.
api = NinjaAPI(title="Tocsin", version="1", urls_namespace="api", docs_url=None,
               openapi_url="/openapi.json")
api.add_router("", intake_api)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="report", permanent=False)),
    path("report/", intake_views.report, name="report"),
    path("followup/", intake_views.followup_page, name="followup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tocsin.accounts.urls")),
    path("staff/", include("tocsin.cases.urls")),
    path("staff/", include("tocsin.alerts.urls")),
    path("api/v1/", api.urls),
]
