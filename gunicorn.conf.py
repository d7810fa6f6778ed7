"""gunicorn settings for serving Phủ Số: `gunicorn -c gunicorn.conf.py wsgi:app` (see README, "Production")."""

import multiprocessing
import os

bind = os.environ.get("PHUSO_BIND", "127.0.0.1:8000")
# Two workers per core plus one, unless the host says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("PHUSO_THREADS", "2"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is replaced now and then, so a slow leak never builds up.
max_requests = 2000
max_requests_jitter = 200
# The app logs each request itself, without query strings; gunicorn's access log would add them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PHUSO_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    # gunicorn merges this dict over its own at the top level only: the root logger must name our handler.
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {"phuso.requests": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}
