"""`manage.py check --deploy` is clean with the production settings the README documents
(issue #20, proofs): HTTPS behind a proxy, secure cookies, HSTS, the app redirecting to HTTPS."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def deploy_check(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ["PATH"],
        "LINLI_VAR_DIR": str(tmp_path),
        "LINLI_SECRET_KEY": secrets.token_urlsafe(50),
        "LINLI_ALLOWED_HOSTS": "linli.example.gov.cn",
        "LINLI_CSRF_TRUSTED_ORIGINS": "https://linli.example.gov.cn",
        "LINLI_HTTPS": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = deploy_check(tmp_path, LINLI_SSL_REDIRECT="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_check_still_catches_a_missing_https_redirect(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode != 0 and "security.W008" in result.stdout + result.stderr
