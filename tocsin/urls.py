from django.urls import include, path
from django.views.generic import RedirectView
from ninja import NinjaAPI

from tocsin.attestations.api import router as attestations_api
from tocsin.counsel.api import router as counsel_api
from tocsin.demands.api import router as demands_api
from tocsin.enrolment.api import router as enrolment_api
from tocsin.intake import views as intake_views
from tocsin.intake.api import router as intake_api
from tocsin.registry.api import router as registry_api
from tocsin.screening.api import router as screening_api
from tocsin.tokens.api import router as tokens_api
from tocsin.tokens.auth import register_handlers as register_token_handlers

# No interactive docs: they load scripts from a third party.
api = NinjaAPI(title="Tocsin", version="1", urls_namespace="api", docs_url=None,
               openapi_url="/openapi.json")
register_token_handlers(api)
api.add_router("", intake_api)
for router in (registry_api, attestations_api, enrolment_api, screening_api, tokens_api, counsel_api,
               demands_api):
    api.add_router("", router)

# The API first: its callers (intake, certificate checks, screening) are the
# busiest, and no other prefix overlaps it.
urlpatterns = [
    path("api/v1/", api.urls),
    path("", RedirectView.as_view(pattern_name="report", permanent=False)),
    path("report/", intake_views.report, name="report"),
    path("followup/", intake_views.followup_page, name="followup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tocsin.accounts.urls")),
    path("staff/", include("tocsin.cases.urls")),
    path("staff/", include("tocsin.alerts.urls")),
    path("", include("tocsin.registry.urls")),
    path("", include("tocsin.attestations.urls")),
    path("", include("tocsin.enrolment.urls")),
    path("", include("tocsin.screening.urls")),
    path("", include("tocsin.tokens.urls")),
    path("", include("tocsin.counsel.urls")),
    path("", include("tocsin.demands.urls")),
]
