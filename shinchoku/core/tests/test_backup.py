"""``shinchoku backup`` / ``shinchoku restore``: a round trip through the real commands, on a database of
the engine this test run uses (scripts/test.sh runs the suite on SQLite and on PostgreSQL), comparing
every row of every table and every uploaded file; and the refusals that change nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from shinchoku.core.backup_archive import Manifest, read_archive, write_archive
from shinchoku.core.testing.programs import need_program

# Every table of the database, every row, as text: what must come back after a restore.
SNAPSHOT = """
import json
from django.db import connection
out = {}
with connection.cursor() as c:
    for table in sorted(connection.introspection.table_names(c)):
        c.execute("SELECT * FROM " + connection.ops.quote_name(table))
        out[table] = sorted(json.dumps([str(v) for v in row], ensure_ascii=False) for row in c.fetchall())
print(json.dumps(out, ensure_ascii=False))
"""

# Rows from a few apps beyond the demo data: an answer to an audit finding with an uploaded file (the
# uploads folder), an API token, a draft answer in an open survey round.
ADD_ROWS = """
import datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from shinchoku.core.changelog import acting_as
from shinchoku.audits import services as audits
from shinchoku.audits.models import Finding
from shinchoku.plans.models import Plan
from shinchoku.reports.tokens import create_token
from shinchoku.core.access import Access
from shinchoku.rounds import actions as rounds
SYSTEM = Access.system(name="backup test")
from django.contrib.auth import get_user_model
with acting_as(None, name="backup test"):
    finding = Finding.objects.order_by("pk").first()
    response = audits.submit_response(None, finding, text="様式を改訂した", state="in_progress")
    audits.add_evidence(None, response, SimpleUploadedFile("根拠資料.pdf", b"%PDF-1.4 evidence " * 100))
    create_token(get_user_model().objects.get(username="planning"), name="backup test")
    plan = Plan.objects.get(municipality__code="131148")
    round = rounds.open_round(SYSTEM, plan, 2024, dt.date(2024, 6, 30))
print("ok")
"""

# Damage after the backup: rows changed, deleted and added in several apps, files removed and added.
DAMAGE = """
from django.contrib.auth import get_user_model
from shinchoku.audits.models import Evidence
from shinchoku.core.models import ChangeLog, Municipality
from shinchoku.plans.models import Plan
for e in Evidence.objects.all():
    e.file.delete(save=False)
    e.delete()
Plan.objects.update(name="壊れた計画名")
ChangeLog.objects.filter(pk__in=list(ChangeLog.objects.values_list("pk", flat=True)[:100])).delete()
get_user_model().objects.filter(username="auditor").delete()
get_user_model().objects.create_user("intruder", password="x" * 12)
from shinchoku.meetings.models import ActionItem
ActionItem.objects.all().delete()
Municipality.objects.filter(code="131083").update(name="名前を変えた区")
print("ok")
"""


def media_files(data_dir: Path) -> dict[str, str]:
    root = data_dir / "media"
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


class Installation:
    """A shinchoku of its own (data folder and database) driven through its commands."""

    def __init__(self, data_dir: Path, database_url: str | None):
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SHINCHOKU_") and k != "DATABASE_URL"}
        self.env["SHINCHOKU_DATA_DIR"] = str(data_dir)
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "shinchoku", *args], env=self.env, capture_output=True, text=True, timeout=600)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def python(self, code: str) -> str:
        return self.ok("shell", "--no-imports", "-c", code)

    def snapshot(self) -> dict[str, list[str]]:
        return json.loads(self.python(SNAPSHOT))


@pytest.fixture
def installation(tmp_path):
    """On this run's engine: an SQLite file in a temporary data folder, or a scratch database on the
    run's PostgreSQL server (dropped afterwards)."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        yield Installation(tmp_path / "data", None)
        return
    import psycopg

    need_program("pg_dump", package="postgresql-client")
    db = settings.DATABASES["default"]
    name = f"shinchoku_backup_{uuid.uuid4().hex[:8]}"
    params = dict(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None, dbname="postgres")
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    try:
        yield Installation(tmp_path / "data", f"postgres://{auth}{db['HOST']}:{db['PORT'] or 5432}/{name}")
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_every_table_and_file(installation, tmp_path):
    site = installation
    site.ok("migrate", "--noinput")
    site.ok("load-demo")
    assert site.python(ADD_ROWS).strip().endswith("ok")
    before = site.snapshot()
    files_before = media_files(site.data_dir)
    rows = sum(len(r) for r in before.values())
    assert len(before) >= 60 and rows > 2900 and len(files_before) == 1
    for table in ("auth_user", "core_changelog", "audits_evidence", "reports_apitoken", "rounds_round", "plans_plannode"):
        assert before[table], table

    archive = tmp_path / "backup.tar.gz"
    out = site.ok("backup", str(archive))
    assert f"{len(before)}表 {rows:,}行" in out and "アップロードされたファイル 1件" in out

    assert site.python(DAMAGE).strip().endswith("ok")
    damaged = site.snapshot()
    (site.data_dir / "media" / "after-backup.txt").write_text("後から置いたファイル")
    assert damaged != before

    refused = site.run("restore", str(archive))  # no --yes: a database with data is not replaced
    assert refused.returncode == 1 and "--yes を付けて" in refused.stderr and "Traceback" not in refused.stderr
    assert site.snapshot() == damaged

    out = site.ok("restore", str(archive), "--yes")
    assert "復元しました" in out and "それまでのアップロードフォルダー" in out
    after = site.snapshot()
    differing = [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]
    assert differing == [], differing
    assert media_files(site.data_dir) == files_before
    kept = [p for p in site.data_dir.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "after-backup.txt").is_file()
    print(f"backup round trip ({site.env.get('DATABASE_URL', 'sqlite').split(':')[0]}): "
          f"{len(after)} tables, {sum(len(r) for r in after.values())} rows, {len(files_before)} uploaded file compared")


def test_restore_refuses_a_bad_archive_and_changes_nothing(installation, tmp_path):
    site = installation
    site.ok("migrate", "--noinput")
    site.ok("load-demo")
    archive = tmp_path / "backup.tar.gz"
    site.ok("backup", str(archive))
    state = site.snapshot()

    corrupt = tmp_path / "corrupt.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("これはバックアップではありません")
    # a valid archive of the other engine
    unpacked = tmp_path / "unpacked"
    manifest = read_archive(archive, unpacked)
    other = "postgresql" if manifest.engine == "sqlite" else "sqlite"
    foreign = tmp_path / "foreign.tar.gz"
    write_archive(foreign, Manifest(other, manifest.created_at, manifest.shinchoku_version, manifest.migrations),
                  [({"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[other], unpacked / manifest.database_member)])
    newer = tmp_path / "newer.tar.gz"
    future = {**manifest.migrations, "plans": [*manifest.migrations["plans"], "9999_from_the_future"]}
    write_archive(newer, Manifest(manifest.engine, manifest.created_at, "9.0.0", future),
                  [(manifest.database_member, unpacked / manifest.database_member)])

    for bad, message in (
        (corrupt, "壊れて"),
        (not_a_backup, "バックアップを読めません"),
        (tmp_path / "missing.tar.gz", "ファイルがありません"),
        (foreign, "データベースの種類が違います"),
        (newer, "plans.9999_from_the_future"),
    ):
        result = site.run("restore", str(bad), "--yes")
        assert result.returncode == 1, (bad, result.stdout)
        assert message in result.stderr and str(bad) in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert site.snapshot() == state
