"""The secret key: generated once into the data folder, and refused in production when weak."""

import os
import stat
import subprocess
import sys

import pytest

from shinchoku.core import secret


def test_a_key_is_made_once_into_the_data_folder_readable_by_its_owner_only(tmp_path):
    key = secret.load_or_create(tmp_path / "data")
    path = tmp_path / "data" / secret.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret.weakness(key) is None and len(key) >= 80
    assert secret.load_or_create(tmp_path / "data") == key
    assert [p.name for p in (tmp_path / "data").iterdir()] == [secret.KEY_FILE_NAME]  # no temporary file left


@pytest.mark.parametrize("key, reason", [
    ("insecure-development-key-do-not-use-in-production", "公開されている開発用の鍵"),
    ("django-insecure-" + "x1y2z3" * 10, "公開されている開発用の鍵"),
    ("short-but-random-Xq3", "短すぎます（20文字"),
    ("ab" * 40, "2種類しかありません"),
])
def test_weak_keys_are_refused_in_production_only(tmp_path, key, reason):
    with pytest.raises(secret.InsecureSecretKey) as refused:
        secret.secret_key(key, tmp_path, production=True)
    assert reason in str(refused.value) and "SHINCHOKU_SECRET_KEY" in str(refused.value)
    assert secret.secret_key(key, tmp_path, production=False) == key


def test_a_weak_key_file_is_refused_too(tmp_path):
    (tmp_path / secret.KEY_FILE_NAME).write_text("too-short\n")
    with pytest.raises(secret.InsecureSecretKey) as refused:
        secret.secret_key(None, tmp_path, production=True)
    assert "鍵ファイル" in str(refused.value)


def shinchoku(tmp_path, *args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHINCHOKU_") and k != "DATABASE_URL"}
    env.update(SHINCHOKU_DATA_DIR=str(tmp_path / "data"), **env_overrides)
    return subprocess.run([sys.executable, "-m", "shinchoku", *args], env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_with_the_public_development_key(tmp_path):
    result = shinchoku(tmp_path, "check", SHINCHOKU_DEBUG="0",
                       SHINCHOKU_SECRET_KEY="insecure-development-key-do-not-use-in-production")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "本番モード（SHINCHOKU_DEBUG=0）では、この秘密鍵では起動できません" in result.stderr
    assert "公開されている開発用の鍵" in result.stderr and "Traceback" not in result.stderr


def test_production_without_a_key_generates_one_and_starts(tmp_path):
    result = shinchoku(tmp_path, "check")  # SHINCHOKU_DEBUG defaults to 0
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "data" / secret.KEY_FILE_NAME).stat().st_mode) == 0o600


def test_deploy_check_is_clean_behind_https_with_a_real_key(tmp_path):
    result = shinchoku(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                       SHINCHOKU_DEBUG="0", SHINCHOKU_SECRET_KEY=secret.generate(), SHINCHOKU_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
