"""Backup and restore (バックアップ・復元) of a whole installation: the database and the uploads.

``shinchoku backup OUTPUT`` / ``shinchoku restore INPUT [--yes]``. The archive format and its checks
are in ``backup_archive.py``; this module talks to the database:

- SQLite: the copy is made with SQLite's online backup API (consistent while the server runs) and
  restored the same way, page by page into the live file, in one step.
- PostgreSQL: ``pg_dump -Fc`` (client from the Debian package postgresql-client); restore turns the
  dump into SQL with ``pg_restore`` and runs it with ``psql --single-transaction`` after dropping the
  current tables — in the same transaction, so a failure leaves the database as it was.

A restore checks everything before it changes anything: the archive and its checksums, the engine,
that the backup's migrations are known to this version (an older backup is migrated forward after
the restore), and that a database with data in it is replaced only when asked (``--yes``). The
uploads folder in use is kept beside the restored one (``media.before-restore-…``), never deleted.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from shinchoku.core.backup_archive import (
    DATABASE_MEMBERS,
    ENGINE_LABELS,
    MEDIA_PREFIX,
    BackupError,
    Manifest,
    media_members,
    read_archive,
    write_archive,
)

# Rows that `migrate` itself writes: a database holding only these counts as empty.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


@dataclass
class BackupSummary:
    output: Path
    engine: str
    tables: int
    rows: int
    media_files: int
    size: int


@dataclass
class RestoreSummary:
    engine: str
    created_at: str
    tables: int
    rows: int
    media_files: int
    media_kept_at: Path | None


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"このデータベース（{vendor}）のバックアップには対応していません（SQLite と PostgreSQL のみ）")
    return vendor


def table_row_counts() -> dict[str, int]:
    """Rows in every table of the database (not only the models'), by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    recorder = MigrationRecorder(connection)
    if recorder.has_table():
        for app, name in sorted(recorder.applied_migrations()):
            applied.setdefault(app, []).append(name)
    return applied


def known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def shinchoku_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shinchoku")
    except PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- PostgreSQL tools


def _pg_environment() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
                       ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME"))):
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} が見つかりません: PostgreSQL のクライアント（Debian パッケージ postgresql-client）を入れてください")
    return path


def _run_pg(args: list[str], what: str) -> None:
    result = subprocess.run(args, env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what}に失敗しました（{Path(args[0]).name}）: {result.stderr.strip()[-2000:]}")


# Drops what Django created in the current schema; runs in the restore's transaction.
_DROP_ALL = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.sequence_name);
  END LOOP;
END $$;
"""


# --------------------------------------------------------------------------- backup


def create_backup(output: Path) -> BackupSummary:
    """Write the database and the uploads folder to the archive ``output``."""
    output = Path(output)
    if output.exists() and output.is_dir():
        raise BackupError(f"{output}: フォルダーです。バックアップのファイル名を指定してください")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent}: 保存先のフォルダーがありません")
    kind = engine()
    counts = table_row_counts()
    with tempfile.TemporaryDirectory(prefix="shinchoku-backup-") as tmp:
        dump = Path(tmp) / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            target = sqlite3.connect(dump)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            _run_pg([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"],
                    "データベースのバックアップ（pg_dump）")
        from django.utils import timezone

        manifest = Manifest(
            engine=kind, created_at=timezone.localtime().isoformat(timespec="seconds"), shinchoku_version=shinchoku_version(),
            migrations=applied_migrations(),
        )
        media = media_members(Path(settings.MEDIA_ROOT))
        write_archive(output, manifest, [(DATABASE_MEMBERS[kind], dump), *media])
    return BackupSummary(output, kind, len(counts), sum(counts.values()), len(media), output.stat().st_size)


# --------------------------------------------------------------------------- restore


def data_rows() -> dict[str, int]:
    """Tables that hold data (beyond what `migrate` writes), with their row counts."""
    return {t: n for t, n in table_row_counts().items() if n and t not in BOOKKEEPING_TABLES}


def check_restorable(manifest: Manifest, where: str) -> None:
    kind = engine()
    if manifest.engine != kind:
        raise BackupError(
            f"{where}: データベースの種類が違います（バックアップは {ENGINE_LABELS[manifest.engine]}、"
            f"この環境は {ENGINE_LABELS[kind]}）。同じ種類のデータベースに復元してください"
        )
    known = known_migrations()
    unknown = [f"{app}.{name}" for app, names in sorted(manifest.migrations.items()) for name in names if (app, name) not in known]
    if unknown:
        shown = "、".join(unknown[:5]) + ("…" if len(unknown) > 5 else "")
        raise BackupError(
            f"{where}: このバックアップはより新しい版の shinchoku（{manifest.shinchoku_version}）で作られています"
            f"（この版にない移行: {shown}）。同じ版以降の shinchoku で復元してください"
        )


def _check_sqlite_copy(path: Path, where: str) -> None:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0]
            has_migrations = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{where}: バックアップ内のデータベースを読めません（{exc}）") from None
    if ok != "ok" or not has_migrations:
        raise BackupError(f"{where}: バックアップ内のデータベースが壊れています（integrity_check: {ok}）")


def restore_backup(path: Path, *, replace: bool) -> RestoreSummary:
    """Replace the database and the uploads folder with the backup ``path``.

    Refuses (BackupError, nothing changed) when the archive is unreadable or does not match its
    manifest, the engine differs, the backup is from a newer version, or the database holds data and
    ``replace`` is false.
    """
    path = Path(path)
    where = str(path)
    kind = engine()
    media_root = Path(settings.MEDIA_ROOT)
    staging_parent = media_root.parent
    staging_parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside the uploads folder (same file system: the new folder is moved into place).
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=staging_parent) as tmp:
        staged = Path(tmp)
        manifest = read_archive(path, staged)
        check_restorable(manifest, where)
        existing = data_rows()
        if existing and not replace:
            biggest = "、".join(f"{t} {n}行" for t, n in sorted(existing.items(), key=lambda kv: -kv[1])[:3])
            raise BackupError(
                f"データベースにデータがあります（{len(existing)}表、たとえば {biggest}）。"
                "バックアップで置き換えるには --yes を付けて実行してください（何も変更していません）"
            )
        dump = staged / manifest.database_member
        if kind == "sqlite":
            _check_sqlite_copy(dump, where)
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, staged, where)
        kept = _replace_media(staged / MEDIA_PREFIX.rstrip("/"), media_root, bool(manifest.media_files))
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # an older backup is brought up to this version
    counts = table_row_counts()
    return RestoreSummary(kind, manifest.created_at, len(counts), sum(counts.values()), len(manifest.media_files), kept)


def _restore_sqlite(dump: Path) -> None:
    connection.close()
    live = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=60)
    source = sqlite3.connect(dump)
    try:
        source.backup(live)  # one step: the live file gets every page of the copy, under a write lock
    finally:
        source.close()
        live.close()


def _restore_postgresql(dump: Path, staged: Path, where: str) -> None:
    script = staged / "restore.sql"
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--no-comments", f"--file={script}", str(dump)],
        env=_pg_environment(), capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"{where}: バックアップ内のデータベースを読めません（pg_restore: {result.stderr.strip()[-1000:]}）")
    drop = staged / "drop.sql"
    drop.write_text(_DROP_ALL, encoding="utf-8")
    connection.close()
    _run_pg([_pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
             f"--file={drop}", f"--file={script}"], "データベースの復元（psql。データベースは変更していません）")


def _replace_media(restored: Path, media_root: Path, has_files: bool) -> Path | None:
    """Put the backup's uploads in place; the folder in use is kept beside it when it holds files."""
    kept = None
    if media_root.exists() and any(p.is_file() for p in media_root.rglob("*")):
        from django.utils import timezone

        kept = media_root.with_name(f"{media_root.name}.before-restore-{timezone.localtime():%Y%m%d-%H%M%S}")
        media_root.rename(kept)
    elif media_root.exists():
        shutil.rmtree(media_root)
    if has_files:
        restored.rename(media_root)
    else:
        media_root.mkdir(parents=True, exist_ok=True)
    return kept
