"""How log lines are written: times in UTC, in ISO 8601 with the offset, so logs from several
servers (and across daylight saving changes) line up; and paths in Django's own request logs
made safe to keep (no secrets, no line breaks)."""

import json
import logging
import re
import time

# Loggers whose messages quote the request path ("Not Found: /verify/<code>/").
PATH_LOGGERS = ("django.request", "django.server", "django.security")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record, datefmt=None):  # noqa: N802 - the logging module's name
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}+00:00"


class SafePathsFilter(logging.Filter):
    """Rewrite the path arguments of Django's request, CSRF and development-server logs the
    way the security log writes paths: a verification code keeps its first four characters,
    tokens and keys are removed (``accounts.security.redact_path``), and a path holding a
    control character is written as a JSON string, so it cannot start a forged line."""

    def filter(self, record):
        if record.name.startswith(PATH_LOGGERS) and isinstance(record.args, tuple):
            record.args = tuple(self._safe(value) for value in record.args)
        return True

    @staticmethod
    def _safe(value):
        if not isinstance(value, str) or not value.startswith("/"):
            return value
        from accounts.security import redact_path

        path = redact_path(value)
        if not _CONTROL.search(path):
            return path
        quoted = json.dumps(path, ensure_ascii=False)  # escapes \n, \r, \x00 and the like
        return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
