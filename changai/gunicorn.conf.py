"""gunicorn settings for production, from the environment (see docs/deploy.md).

    gunicorn -c changai/gunicorn.conf.py changai.wsgi

CHANGAI_BIND            where to listen (default 127.0.0.1:8000; the proxy in front ends TLS)
CHANGAI_WEB_WORKERS     processes (default: 2 per core, at least 2)
CHANGAI_WEB_THREADS     threads per process (default 4: requests wait on the database, not the CPU)
CHANGAI_WEB_TIMEOUT     seconds before a stuck request's worker is replaced (default 60; long work runs as jobs)
CHANGAI_TRUSTED_PROXY_COUNT  also read by the app (core/net.py): how many proxies' X-Forwarded-For to believe
"""

import multiprocessing
import os

bind = os.environ.get("CHANGAI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CHANGAI_WEB_WORKERS", max(2, 2 * multiprocessing.cpu_count())))
threads = int(os.environ.get("CHANGAI_WEB_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("CHANGAI_WEB_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at once).
max_requests = 2000
max_requests_jitter = 200
# Uploads are limited by the app (20 MB) and the proxy; headers by gunicorn's defaults.
limit_request_line = 8190
# Only the local proxy may set the scheme header; the client address is decided by the app (core/net.py).
forwarded_allow_ips = os.environ.get("CHANGAI_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Load the app before forking: a configuration error stops the start with its message instead of
# every worker failing in turn, and the workers share the loaded code.
preload_app = True
