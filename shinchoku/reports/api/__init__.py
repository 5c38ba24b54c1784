"""The typed JSON API (/api/, django-ninja): municipalities, departments, plans, plan items, progress
entries, indicators and values, audit findings. OpenAPI document: /api/openapi.json; docs: /api/docs.

Authentication: ``Authorization: Bearer <token>`` (``shinchoku api-token create USER``); without a
token the API answers with published data only (:mod:`shinchoku.reports.api.scopes`).
"""

from __future__ import annotations

import json

from django.template.loader import render_to_string
from django.http import HttpResponse
from django.urls import reverse
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from django.core.exceptions import PermissionDenied, ValidationError

from shinchoku.core.actions import ActionError, StaleError
from shinchoku.reports.api.auth import TokenAuth, public_access
from shinchoku.reports.api.endpoints import ROUTERS

DESCRIPTION = """\
shinchoku（進捗）の計画・進捗・成果指標・監査のデータを返す API です。

- 認証: `Authorization: Bearer <トークン>`（`shinchoku api-token create 利用者名` で発行）。トークンの利用者の団体・役割の範囲で読み書きできます。
- トークンなし: 公開されている計画（承認済の進捗、成果指標）だけを返します。
- 一覧は `limit`（最大500）と `offset` で分割し、`count` に全件数を返します。
- 年度は西暦の年度（4月始まり、2023 = 令和5年度）です。
"""


class OfflineSwagger(Swagger):
    """Swagger UI from the files django-ninja ships, served by this app (the machines have no internet)."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        html = render_to_string(
            "reports/api/docs.html",
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


api = NinjaAPI(
    title="shinchoku API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), public_access],
    docs=OfflineSwagger(),
    docs_url="/docs",
    renderer=Utf8JSONRenderer(),
)
for router in ROUTERS:
    api.add_router("", router)


# The errors of the actions, mapped once for every operation (the screens map the same three).
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
