"""Checks what the machine must provide before a make target runs, and says in one line what
to install when something is missing. Uses only the standard library, so it runs before the
virtual environment exists."""

import os
import shutil
import sys

CHROMIUM = "/usr/bin/chromium"


def fail(message: str) -> None:
    print(f"Missing requirement: {message}", file=sys.stderr)
    sys.exit(1)


def check_python() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - runs under the machine's python3, before the venv exists
        fail(
            f"Python 3.11 or newer is needed (found {sys.version.split()[0]}); install python3.11 or newer."
        )
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        fail("the Python venv module; run: apt-get install -y python3-venv")


def check_browser() -> None:
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    message = f"Chromium for the browser tests ({CHROMIUM}); run: apt-get install -y chromium"
    if os.environ.get("CI", "").lower() == "true":
        fail(message)
    print(f"Warning: {message}. Browser tests will be skipped.", file=sys.stderr)


def main(target: str) -> None:
    check_python()
    if target == "test":
        check_browser()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "run")
