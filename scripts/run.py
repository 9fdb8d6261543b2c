"""`make run`: migrate, load the demo data, then serve the site and a task worker together.

Ctrl-C stops both. Runs in development mode (DEBUG on) unless DEBUG=0 is given.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]


def main() -> int:
    os.chdir(ROOT)
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    port = env.setdefault("PORT", "8000")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")

    steps = (
        ["migrate", "--no-input", "-v", "0"],
        ["seed_demo", "-v", "0"],
        # Tasks left running by a worker that was killed (a run stopped hard) longer ago than
        # TASK_STALE_AFTER_SECONDS go back in the queue for the worker started below.
        ["recover_tasks", "-v", "0"],
    )
    for step in steps:
        result = subprocess.run([*MANAGE, *step], env=env, check=False)
        if result.returncode != 0:
            print(f"Stopped: `manage.py {' '.join(step)}` failed (see above).", file=sys.stderr)
            return result.returncode

    web = subprocess.Popen([*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env)
    worker = subprocess.Popen([*MANAGE, "db_worker", "--no-reload"], env=env)
    processes = [web, worker]

    print()
    print(f"Alongside is running at http://127.0.0.1:{port}/  (admin: /admin/)")
    print("Demo logins, password alongside-demo:")
    print("  trainee@example.org      Jordan Rivera   trainee")
    print("  trainee2@example.org     Casey Morgan    trainee")
    print("  supervisor@example.org   Sam Okafor      supervisor")
    print("  orgadmin@example.org     Alex Chen       organization admin")
    print("  registrar@example.org    Robin Diaz      registrar")
    print("  editor@example.org       Taylor Brooks   editor")
    print("Press Ctrl-C to stop the web server and the task worker.")
    print()

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…")
    finally:
        stop()
    failed = [p for p in processes if p.returncode not in (0, -signal.SIGINT, None)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
