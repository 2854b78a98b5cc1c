"""A stand-in API guarded by ``TokenAuth``, so token handling is tested on its
own, through real HTTP requests, before any real API uses it."""

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from tocsin.tokens.auth import TokenAuth, register_handlers
from tocsin.urls import urlpatterns as project_urlpatterns

api = NinjaAPI(urls_namespace="tokens_test", docs_url=None)
register_handlers(api)


@api.get("/guarded", auth=TokenAuth("screening"))
def guarded(request: HttpRequest) -> dict[str, str]:
    return {"prefix": request.auth.prefix}  # type: ignore[attr-defined]


# The project's own URLs stay, for the middleware and error pages that name them.
urlpatterns = [path("token-test/", api.urls), *project_urlpatterns]
