"""Upload → dry run → preview → confirm: the one import flow of every upload page.

The uploaded file waits in the data folder under a random token recorded in the uploader's session;
the dry run (the real import rolled back, ``core.importing``) gives the preview; only a clean
preview can be confirmed, and confirming imports the *same file* for real (all or nothing) and
discards it. A token belongs to one user and one flow (``key``); files older than a day are removed.

An app declares a flow — what to run, which template shows the preview, where to go afterwards —
and its view is one line: ``return flow.handle(request)``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from shinchoku.core.actions import ActionError
from shinchoku.core.importing import ImportFailed, Problem

SESSION_KEY = "shinchoku_uploads"
KEEP_SECONDS = 24 * 3600
EXPIRED = "取り込むファイルが見つかりません（期限切れか、別の画面で取り込み済みです）。もう一度ファイルを選んでください。"


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads-pending"


def max_upload_bytes() -> int:
    return int(settings.SHINCHOKU_MAX_UPLOAD_BYTES)


def too_big_message(size: int, limit: int) -> str:
    return f"ファイルが大きすぎます（{size / 1024 / 1024:.1f} MB、上限 {limit / 1024 / 1024:.0f} MB）"


def _clean_old(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


@dataclass
class UploadFlow:
    """One upload page. ``run(path, filename, dry_run, options)`` imports (raises ImportFailed);
    ``done(request, result, filename)`` answers after the real import (a message and a redirect)."""

    key: str
    template: str
    run: Callable[[Path, str, bool, dict], Any]
    done: Callable[[Any, Any, str], HttpResponse]
    context: dict = field(default_factory=dict)
    options: tuple[str, ...] = ()  # POST fields kept with the upload and passed to ``run`` (e.g. "submit")
    preview: Callable[[Any], dict] | None = None  # extra context for the preview from the dry run's result

    def handle(self, request) -> HttpResponse:
        ctx = {**self.context, "max_mb": max_upload_bytes() // (1024 * 1024)}
        if request.method != "POST":
            return render(request, self.template, ctx)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        limit = max_upload_bytes()
        if length > limit + 64 * 1024:
            # Refused before Django reads the body into a temporary file.
            return self._problems(request, ctx, [Problem(too_big_message(length, limit), file="アップロードしたファイル")], 413)
        if request.POST.get("token"):
            return self._confirm(request, ctx)
        return self._upload(request, ctx)

    # --- steps ---------------------------------------------------------------------------------
    def _problems(self, request, ctx: dict, problems: list[Problem], status: int = 400) -> HttpResponse:
        return render(request, self.template, {**ctx, "problems": problems}, status=status)

    def _attempt(self, request, ctx: dict, path: Path, name: str, dry_run: bool, options: dict):
        try:
            return self.run(path, name, dry_run, options), None
        except ImportFailed as exc:
            return None, self._problems(request, {**ctx, "filename": name}, exc.problems)
        except ActionError as exc:
            problems = [Problem(exc.message, file=name)] + [Problem(f"{c}: {m}", file=name) for c, m in exc.problems]
            return None, self._problems(request, {**ctx, "filename": name}, problems)
        except PermissionDenied as exc:
            return None, self._problems(request, {**ctx, "filename": name}, [Problem(str(exc), file=name)], 403)

    def _upload(self, request, ctx: dict) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return self._problems(request, ctx, [Problem("ファイルを選んでください")])
        name = Path(upload.name).name
        if upload.size > max_upload_bytes():
            return self._problems(request, {**ctx, "filename": name}, [Problem(too_big_message(upload.size, max_upload_bytes()), file=name)])
        folder = upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        _clean_old(folder)
        token = uuid.uuid4().hex
        path = folder / f"{token}.upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        options = {k: request.POST.get(k, "") for k in self.options}
        result, failed = self._attempt(request, ctx, path, name, True, options)
        if failed is not None:
            path.unlink(missing_ok=True)
            return failed
        pending = request.session.get(SESSION_KEY, {})
        # One waiting file per user and flow: a new upload replaces the previous one.
        for old, entry in list(pending.items()):
            if entry.get("key") == self.key:
                (folder / f"{old}.upload").unlink(missing_ok=True)
                pending.pop(old)
        pending[token] = {"key": self.key, "name": name, "user": request.user.pk, "at": time.time(), "options": options}
        request.session[SESSION_KEY] = pending
        extra = self.preview(result) if self.preview else {}
        return render(request, self.template, {**ctx, **extra, "filename": name, "token": token, "result": result,
                                               "options": options})

    def _confirm(self, request, ctx: dict) -> HttpResponse:
        token = request.POST["token"]
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.get(token)
        path = upload_dir() / f"{token}.upload"
        if entry is None or entry.get("key") != self.key or entry.get("user") != request.user.pk or not path.exists():
            return self._problems(request, ctx, [Problem(EXPIRED)])
        pending.pop(token)
        request.session[SESSION_KEY] = pending
        if "cancel" in request.POST:
            path.unlink(missing_ok=True)
            messages.info(request, "取り込みを取り消しました（何も書き込んでいません）。")
            return redirect(request.path)
        try:
            result, failed = self._attempt(request, ctx, path, entry["name"], False, entry.get("options", {}))
        finally:
            path.unlink(missing_ok=True)
        if failed is not None:
            return failed
        return self.done(request, result, entry["name"])
