"""gunicorn's access log without the patient's link token (gunicorn.conf.py: logger_class).

A patient's private link is /p/<token>[/log|/psfs]: anyone holding the token opens the
plan, so it must not reach a log file. Every value of a log line (the path, the request
line, the referrer, headers and environ) has the token replaced by "<token>".
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

TOKEN_PATH = re.compile(r"/p/[^/?#\s\"]+")


def redact(text: str) -> str:
    return TOKEN_PATH.sub("/p/<token>", text)


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}
