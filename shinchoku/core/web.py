"""Shared view machinery: the request's access, actions run from a view, data twins, downloads.

Apps declare; they do not rebuild. Every page that changes something calls an app action through
:func:`perform` (or catches the same three errors the same way through :func:`member_view`):

- a refusal (``PermissionDenied`` with the rule's reason) → 403 page with the reason;
- :class:`~shinchoku.core.actions.StaleError` → 409 page with both versions side by side;
- :class:`~shinchoku.core.actions.ActionError` / ``ValidationError`` → 400 with the messages.

htmx swaps only 2xx answers, so an htmx request gets 200 with the real outcome in the
``X-Shinchoku-Outcome`` header and the message inserted before the form it came from.

Every page with a table has data twins at the same URL: ``?format=csv`` and ``?format=json``
(:func:`twin_response`), the Datasette way.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from shinchoku.core.access import Access
from shinchoku.core.actions import ActionError, StaleError
from shinchoku.core.tabular import CSV_CONTENT_TYPE, JSON_CONTENT_TYPE, csv_bytes, json_bytes

OUTCOME_HEADER = "X-Shinchoku-Outcome"


def access_of(request) -> Access:
    """The request's :class:`~shinchoku.core.access.Access` (computed once per request)."""
    return Access.for_request(request)


def error_messages(exc: Exception) -> list[str]:
    """The Japanese messages of an ActionError or a ValidationError, flat."""
    if isinstance(exc, ActionError):
        return exc.messages
    return [str(m) for m in getattr(exc, "messages", [str(exc)])]


# --------------------------------------------------------------------------- responses for the three errors


def htmx_outcome(response: HttpResponse, status: int) -> HttpResponse:
    response[OUTCOME_HEADER] = str(status)
    return response


def render_outcome(request, template: str, context: dict, status: int) -> HttpResponse:
    """A page or fragment with its real status — or 200 and the outcome header for htmx."""
    if getattr(request, "htmx", False):
        return htmx_outcome(render(request, template, context), status)
    return render(request, template, context, status=status)


def _htmx_alert(message: str, status: int) -> HttpResponse:
    response = HttpResponse(f'<p class="error" role="alert">{escape(message)}</p>')
    response["HX-Reswap"] = "beforebegin"
    return htmx_outcome(response, status)


def refusal_response(request, message: str = "", *, back_url: str = "", back_label: str = "") -> HttpResponse:
    """403 with the rule's Japanese reason (Django's default page would hide it)."""
    message = message or "この操作は許可されていません"
    if getattr(request, "htmx", False):
        return _htmx_alert(message, 403)
    return render(
        request, "core/forbidden.html", {"message": message, "back_url": back_url, "back_label": back_label}, status=403
    )


def conflict_response(request, exc: StaleError, *, mine: dict | None = None, labels: dict | None = None,
                      back_url: str = "") -> HttpResponse:
    """409: the other person's values beside the editor's own, nothing saved."""
    if getattr(request, "htmx", False):
        return _htmx_alert(str(exc), 409)
    keys = list(dict.fromkeys([*exc.theirs, *(mine or {})]))
    rows = [((labels or {}).get(k, k), exc.theirs.get(k, ""), (mine or {}).get(k, "")) for k in keys]
    return render(request, "core/conflict.html", {"message": str(exc), "rows": rows, "back_url": back_url}, status=409)


def invalid_response(request, exc: Exception, *, back_url: str = "") -> HttpResponse:
    """400 with the action's messages."""
    texts = error_messages(exc)
    if getattr(request, "htmx", False):
        return _htmx_alert(" ".join(texts), 400)
    return render(request, "core/invalid.html", {"messages_list": texts, "back_url": back_url}, status=400)


def safe_next(request, default: str) -> str:
    """The ``next`` the request carries when it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def member_view(view):
    """A page for signed-in users; the three action errors become their pages (see the module doc).

    Views that show an error inline (a form with the typed values kept) catch it themselves first.
    """

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return refusal_response(request, str(exc))
        except StaleError as exc:
            return conflict_response(request, exc)
        except (ActionError, ValidationError) as exc:
            return invalid_response(request, exc)

    return wrapped


def perform(request, call: Callable[[], Any], *, back: str, success: Callable[[Any], str] | str) -> HttpResponse:
    """Run an action from a POST-only endpoint and go back to ``back`` with a message.

    A GET only goes back (nothing is done on GET). A refused or conflicting action becomes its page
    (403 / 409, :func:`member_view`); an action that is not possible now shows its message on the page
    it came from.
    """
    if request.method != "POST":
        return redirect(back)
    try:
        result = call()
    except (ActionError, ValidationError) as exc:
        for text in error_messages(exc):
            messages.error(request, text)
        return redirect(back)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(back)


# --------------------------------------------------------------------------- confirmations


def confirmed(request) -> bool:
    """The person saw the confirmation screen and pressed its button (a POST carrying ``confirm=1``)."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def confirmation(request, *, title: str, button: str, back: str, lead: str = "", counts=(), notes=(), items=(),
                 items_label: str = "対象", hidden=(), danger: bool = False) -> HttpResponse:
    """One screen, with counts, before an action that touches many records or sends mail: it posts
    back to the same URL with ``confirm=1`` (see :func:`confirmed`); nothing is done before that."""
    return render(request, "core/confirm.html", {
        "title": title, "lead": lead, "counts": list(counts), "notes": list(notes), "items": list(items),
        "items_label": items_label, "button": button, "back": back, "action": request.get_full_path(),
        "hidden": list(hidden), "danger": danger,
    })


# --------------------------------------------------------------------------- data twins


@dataclass
class Column:
    key: str
    label: str


@dataclass
class Table:
    """A page's table as data: the same rows feed the page, ``?format=csv`` and ``?format=json``."""

    name: str  # file name stem of the twins
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    public: bool = False  # open data: any origin may read it

    def csv(self) -> bytes:
        keys = [c.key for c in self.columns]
        return csv_bytes([c.label for c in self.columns], ([row.get(k) for k in keys] for row in self.rows))

    def json(self) -> bytes:
        keys = [c.key for c in self.columns]
        return json_bytes({
            **self.meta,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [{k: row.get(k) for k in keys} for row in self.rows],
        })


TWIN_FORMATS = ("csv", "json")


def wants_twin(request) -> str | None:
    """``csv`` or ``json`` when the page was asked for as data; 404 for an unknown format."""
    fmt = request.GET.get("format", "")
    if fmt in ("", "html"):
        return None
    if fmt not in TWIN_FORMATS:
        raise Http404("出力形式がありません（csv または json を指定してください）")
    return fmt


def twin_response(request, table: Table | Callable[[], Table]) -> HttpResponse | None:
    """The CSV or JSON twin of the page when ``?format=`` asks for one, else None (render the page)."""
    fmt = wants_twin(request)
    if fmt is None:
        return None
    table = table() if callable(table) else table
    if fmt == "csv":
        response = download(table.csv(), f"{table.name}.csv", CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(table.json(), content_type=JSON_CONTENT_TYPE)
    if table.public:
        response["Access-Control-Allow-Origin"] = "*"
    return response


def download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    """A file answer whose Japanese name survives every browser (RFC 6266 ``filename*``)."""
    response = HttpResponse(content, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response


def json_response(data: Any, *, public: bool = False) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1, default=str), content_type=JSON_CONTENT_TYPE)
    if public:
        response["Access-Control-Allow-Origin"] = "*"
    return response
