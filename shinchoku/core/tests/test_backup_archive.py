"""The backup archive reader (plain Python): whatever the bytes, a BackupError naming the file or the
archive's exact content — never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from shinchoku.core.backup_archive import BackupError, Manifest, read_archive, write_archive


def make_archive(folder: Path) -> Path:
    (folder / "database.sqlite3").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    (folder / "a.pdf").write_bytes(b"%PDF-1.4 " * 300)
    archive = folder / "backup.tar.gz"
    write_archive(archive, Manifest("sqlite", "2025-04-01T09:00:00+09:00", "0.1.0", {"core": ["0001_initial"]}),
                  [("database.sqlite3", folder / "database.sqlite3"), ("media/audits/a.pdf", folder / "a.pdf")])
    return archive


@pytest.fixture(scope="module")
def archive_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return make_archive(Path(tmp)).read_bytes()


def test_an_archive_reads_back_with_its_manifest(tmp_path):
    archive = make_archive(tmp_path)
    manifest = read_archive(archive, tmp_path / "out")
    assert manifest.engine == "sqlite" and manifest.migrations == {"core": ["0001_initial"]}
    assert manifest.media_files == ["media/audits/a.pdf"]
    assert (tmp_path / "out" / "media/audits/a.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()


@settings(max_examples=150)
@given(data=st.data())
def test_a_damaged_archive_gives_a_named_error_or_its_exact_content(archive_bytes, data):
    damaged = bytearray(archive_bytes)
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] ^= data.draw(st.integers(1, 255))
    if data.draw(st.booleans()):
        damaged = damaged[: data.draw(st.integers(0, len(damaged)))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.tar.gz"
        path.write_bytes(bytes(damaged))
        try:
            manifest = read_archive(path, Path(tmp) / "out")
        except BackupError as exc:
            assert str(path) in str(exc)
        else:  # the flip hit bytes that carry nothing (gzip header fields): the content is intact
            assert (Path(tmp) / "out" / "media/audits/a.pdf").read_bytes() == b"%PDF-1.4 " * 300
            assert manifest.engine == "sqlite"


def test_a_member_outside_the_manifest_or_with_an_unsafe_name_is_refused(tmp_path):
    import io
    import tarfile

    archive = make_archive(tmp_path)
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    for extra_name, expected in (("media/extra.txt", "manifest.json に載っていない"), ("../escape.txt", "不正な項目")):
        bad = tmp_path / f"bad-{len(extra_name)}.tar.gz"
        with tarfile.open(bad, "w:gz") as tar:
            for member, content in members:
                tar.addfile(member, io.BytesIO(content))
            info = tarfile.TarInfo(extra_name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))
        with pytest.raises(BackupError) as refused:
            read_archive(bad, tmp_path / "out")
        assert expected in str(refused.value)
