"""Running Tocsin the way an administrator does: a fresh process, a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


def clean_env(**variables: str) -> dict[str, str]:
    """Only what a shell would need, plus ``variables``: nothing from the test run
    (no DJANGO_SETTINGS_MODULE, no DATABASE_URL) leaks into the child. The
    child imports the code under test, also from a checkout that is not the
    one installed in the virtualenv."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
            **variables}


def run_python(code: str, *, cwd: Path, env: dict[str, str],
               timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def probe_sqlite(code: str, folder: Path, *, timeout: float = 60) -> Any:
    """Run ``code`` in a fresh process on its own SQLite data directory under
    ``folder`` (production settings, nothing from the test run) and return
    the JSON it printed last."""
    env = clean_env(TOCSIN_SECRET_KEY="x", TOCSIN_DATA_DIR=str(folder / "var"))
    result = run_python(code, cwd=folder, env=env, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
