"""Run work in several threads at the same moment, each on its own database connection."""

import threading

from django.db import connections


def run_together(work, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def runner():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
