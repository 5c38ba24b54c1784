"""The typed JSON API (/api/, django-ninja): one :class:`~ninja.NinjaAPI` that mounts every app's router.

Each app owns its operations, its read scopes and its schemas in ``app/api.py`` (core: municipalities
and departments; plans: plans, items, progress entries; indicators: indicators and values; audits:
findings) and writes only through its actions. This module holds what they share once: the
authentication, the documents (OpenAPI at /api/openapi.json, Swagger UI at /api/docs, served from the
files django-ninja ships — no CDN), the UTF-8 renderer, and the mapping of the actions' errors.

Authentication: ``Authorization: Bearer <token>`` (``shinchoku api-token create USER``) → the token's
user's :class:`~shinchoku.core.access.Access`; no header → ``Access.anonymous()`` (published data
only). A header with a bad, revoked or expired token is refused (401) rather than silently read as
anonymous, so that a program with a broken token notices.
"""

from __future__ import annotations

import json
from pathlib import Path

import ninja
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.cache import cache_control
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from shinchoku.audits import api as audits_api
from shinchoku.core import api as core_api
from shinchoku.core.access import Access
from shinchoku.core.actions import ActionError, StaleError
from shinchoku.core.tokens import user_for_token
from shinchoku.indicators import api as indicators_api
from shinchoku.plans import api as plans_api

DESCRIPTION = """\
shinchoku（進捗）の計画・進捗・成果指標・監査のデータを返す API です。

- 認証: `Authorization: Bearer <トークン>`（`shinchoku api-token create 利用者名` で発行）。トークンの利用者の団体・役割の範囲で読み書きできます。
- トークンなし: 公開されている計画（承認済の進捗、成果指標）だけを返します。
- 一覧は `limit`（最大500）と `offset` で分割し、`count` に全件数を返します。
- 年度は西暦の年度（4月始まり、2023 = 令和5年度）です。
"""

# In the order of the document: core's records first, then plans, indicators, audits.
ROUTERS = (core_api.router, plans_api.router, indicators_api.router, audits_api.router)


# --------------------------------------------------------------------------- authentication


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header)
        if not value:
            return None  # the next callback (anonymous access) answers
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(message="Authorization ヘッダーは「Bearer トークン」の形で指定してください")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Access:
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(message="APIトークンが正しくないか、失効しています")
        return Access.for_user(user)


def anonymous_access(request: HttpRequest) -> Access:
    return Access.anonymous()


# --------------------------------------------------------------------------- documents and rendering


class OfflineSwagger(Swagger):
    """Swagger UI from the files django-ninja ships, served by this app (the machines have no internet)."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        html = render_to_string(
            "api/docs.html",
            {
                "api": api,
                "swagger_settings": json.dumps(self.settings, ensure_ascii=False),
                "css": reverse("api-docs-asset", args=["swagger-ui.css"]),
                "bundle": reverse("api-docs-asset", args=["swagger-ui-bundle.js"]),
                "init": reverse("api-docs-asset", args=["swagger-ui-init.js"]),
            },
            request=request,
        )
        return HttpResponse(html)


class Utf8JSONRenderer(JSONRenderer):
    """Japanese text as UTF-8, not \\u escapes (readable with curl; a third of the bytes)."""

    media_type = "application/json"
    json_dumps_params = {"ensure_ascii": False}

    def render(self, request, data, *, response_status):
        return super().render(request, data, response_status=response_status).encode("utf-8")


class ShinchokuAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Operation ids as first published (generated clients name their methods after them): they
        stay the same wherever an operation's code lives."""
        return f"shinchoku_reports_api_endpoints_{operation.view_func.__name__}"


api = ShinchokuAPI(
    title="shinchoku API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), anonymous_access],
    docs=OfflineSwagger(),
    docs_url="/docs",
    renderer=Utf8JSONRenderer(),
)
for router in ROUTERS:
    api.add_router("", router)


# --------------------------------------------------------------------------- the actions' errors, mapped once
# (the screens map the same ones in core.web, the commands in core.commandline)


@api.exception_handler(PermissionDenied)
def _refused(request, exc):
    return api.create_response(request, {"detail": str(exc) or "この操作は許可されていません"}, status=403)


@api.exception_handler(StaleError)
def _stale(request, exc):
    return api.create_response(request, {"detail": str(exc), "current_version": exc.current_version}, status=409)


@api.exception_handler(ActionError)
def _not_possible(request, exc):
    return api.create_response(request, {"detail": exc.message, "problems": [list(p) for p in exc.problems]}, status=400)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": "、".join(str(m) for m in exc.messages)}, status=400)


# --------------------------------------------------------------------------- URLs (included at /api/)

NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
}


@cache_control(max_age=86400, public=True)
def docs_asset(request, name: str):
    content_type = DOCS_ASSETS.get(name)
    if content_type is None or not (NINJA_STATIC / name).is_file():
        raise Http404("ありません")
    return FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)


urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
]
