"""/api/ — the ninja API plus the Swagger UI files it needs (served here: no CDN)."""

from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.urls import path
from django.views.decorators.cache import cache_control

from shinchoku.reports.api import api

NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
}


@cache_control(max_age=86400, public=True)
def docs_asset(request, name: str):
    content_type = ASSETS.get(name)
    if content_type is None or not (NINJA_STATIC / name).is_file():
        raise Http404("ありません")
    return FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)


urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
]
