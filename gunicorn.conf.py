"""gunicorn settings for rehab: `gunicorn -c gunicorn.conf.py 'rehab:create_app()'`
(gunicorn also reads this file by itself when started from this folder).

The access log writes the path without its query string, and no referrer: a patient
search (?q=name or a date of birth) must never reach a log file, nor a patient's link token. Override the rest
on the command line or with GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("REHAB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = os.environ.get("REHAB_ACCESS_LOG", "-") or None  # "-": standard output; "": none
# %(U)s is the path alone (%(r)s, %(q)s and %(f)s would carry the query string)
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s" %({x-request-id}o)s'
# a patient's private link (/p/<token>) is written as /p/<token>: the token never reaches the log
logger_class = "rehab.accesslog.AccessLogger"
errorlog = "-"
# behind the proxy, let gunicorn trust X-Forwarded-* from it only (rehab's ProxyFix counts hops)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn logs a malformed request line or header at WARNING, quoting it: a script that
# does not URL-encode a search would put a name in the error log. Errors only.
loglevel = os.environ.get("REHAB_LOG_LEVEL", "error")
