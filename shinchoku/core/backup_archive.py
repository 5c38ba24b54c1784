"""The backup archive (バックアップ): one tar.gz with a manifest, the database dump and the uploads.

Plain Python, no Django: writing an archive from files on disk, and reading one back with every check
that must pass before a restore may change anything — a readable archive, a shinchoku manifest, safe
member names, every file listed with its size and SHA-256, nothing unlisted.

Layout::

    manifest.json        format, engine, created_at, shinchoku_version, migrations, files {name: {size, sha256}}
    database.sqlite3     (SQLite: a copy made with the online backup API)   or
    database.pgdump      (PostgreSQL: pg_dump -Fc)
    media/…              the uploads folder (MEDIA_ROOT), as it was
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMAT = "shinchoku-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Japanese) names the file and the problem."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    shinchoku_version: str
    migrations: dict[str, list[str]]
    files: dict[str, dict] = field(default_factory=dict)

    def as_json(self) -> bytes:
        payload = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "engine": self.engine, "created_at": self.created_at,
            "shinchoku_version": self.shinchoku_version, "migrations": self.migrations, "files": self.files,
        }
        return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.engine]

    @property
    def media_files(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith(MEDIA_PREFIX))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_members(media_root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every file under the uploads folder, in a stable order."""
    if not media_root.is_dir():
        return []
    out = []
    for path in sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink()):
        out.append((MEDIA_PREFIX + path.relative_to(media_root).as_posix(), path))
    return out


def write_archive(output: Path, manifest: Manifest, members: list[tuple[str, Path]]) -> None:
    """Write the archive: the manifest (with each member's size and checksum) first, then the members.
    Written beside ``output`` and renamed at the end, so a failed run never leaves half an archive."""
    manifest.files = {name: {"size": path.stat().st_size, "sha256": sha256_of(path)} for name, path in members}
    output = Path(output)
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            data = manifest.as_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                info = tar.gettarinfo(str(path), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                with open(path, "rb") as f:
                    tar.addfile(info, f)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _parse_manifest(data: bytes, where: str) -> Manifest:
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BackupError(f"{where}: manifest.json を読めません（壊れています）") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BackupError(f"{where}: shinchoku のバックアップではありません（manifest.json の format が {FORMAT} ではありません）")
    if payload.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{where}: この版の shinchoku が読めないバックアップ形式です（形式 {payload.get('format_version')}、読めるのは {FORMAT_VERSION}）")
    engine = payload.get("engine")
    files = payload.get("files")
    migrations = payload.get("migrations")
    if engine not in DATABASE_MEMBERS or not isinstance(files, dict) or not isinstance(migrations, dict):
        raise BackupError(f"{where}: manifest.json の内容が不完全です（engine・files・migrations）")
    for name, entry in files.items():
        if (not _safe_name(name) or not isinstance(entry, dict) or not isinstance(entry.get("size"), int)
                or not isinstance(entry.get("sha256"), str)):
            raise BackupError(f"{where}: manifest.json のファイル一覧が不正です（{name}）")
    if DATABASE_MEMBERS[engine] not in files:
        raise BackupError(f"{where}: manifest.json にデータベース（{DATABASE_MEMBERS[engine]}）がありません")
    return Manifest(
        engine=engine, created_at=str(payload.get("created_at", "")), shinchoku_version=str(payload.get("shinchoku_version", "")),
        migrations={str(app): [str(n) for n in names] for app, names in migrations.items() if isinstance(names, list)},
        files=files,
    )


def read_archive(path: Path, into: Path) -> Manifest:
    """Unpack ``path`` into the folder ``into`` and check it against its manifest. Raises BackupError
    naming the problem (unreadable or corrupt archive, not a backup, a missing, changed or unlisted
    file); the caller has changed nothing yet."""
    path, into = Path(path), Path(into)
    where = str(path)
    if not path.is_file():
        raise BackupError(f"{where}: ファイルがありません")
    try:
        with tarfile.open(path, "r:*") as tar:
            return _read_members(tar, into, where)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise BackupError(f"{where}: バックアップを読めません（壊れているか、バックアップのファイルではありません: {type(exc).__name__}）") from None


def _read_members(tar: tarfile.TarFile, into: Path, where: str) -> Manifest:
    manifest: Manifest | None = None
    seen: dict[str, tuple[int, str]] = {}
    for member in tar:
        if member.isdir():
            continue
        if not member.isfile() or not _safe_name(member.name):
            raise BackupError(f"{where}: バックアップに不正な項目があります（{member.name}）")
        if member.name in seen or (member.name == MANIFEST and manifest is not None):
            raise BackupError(f"{where}: 同じ名前の項目が2つあります（{member.name}）")
        source = tar.extractfile(member)
        if member.name == MANIFEST:
            if member.size > 10 * 1024 * 1024:
                raise BackupError(f"{where}: manifest.json が大きすぎます")
            manifest = _parse_manifest(source.read(), where)
            continue
        if manifest is None:
            raise BackupError(f"{where}: 先頭に manifest.json がありません（shinchoku のバックアップではありません）")
        if member.name not in manifest.files:
            raise BackupError(f"{where}: manifest.json に載っていないファイルがあります（{member.name}）")
        target = into / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with open(target, "wb") as out:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        seen[member.name] = (size, digest.hexdigest())
    if manifest is None:
        raise BackupError(f"{where}: manifest.json がありません（shinchoku のバックアップではありません）")
    for name, entry in sorted(manifest.files.items()):
        if name not in seen:
            raise BackupError(f"{where}: manifest.json にあるファイルがバックアップにありません（{name}）")
        if seen[name] != (entry["size"], entry["sha256"]):
            raise BackupError(f"{where}: {name} の内容がマニフェストのチェックサムと一致しません（壊れています）")
    return manifest
