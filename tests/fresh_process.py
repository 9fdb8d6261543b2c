"""Run ``manage.py`` in a new process, as the site starts: the real settings module, not the
test settings, and none of the test run's own environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_ONLY = frozenset({"PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"})


def run_manage(
    *args: str,
    environment: dict,
    drop: tuple[str, ...] = (),
    drop_prefixes: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """``manage.py *args`` without the test run's variables, nor those named in ``drop`` or
    starting with one of ``drop_prefixes``, and with ``environment`` added. Output is captured
    as text; the caller checks the return code."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in TEST_ONLY
        and key not in drop
        and not (drop_prefixes and key.startswith(drop_prefixes))
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
