"""gunicorn settings for the registry (deploy/systemd/cameraregistry-web.service).

Threads, not more processes, carry the slow requests (evidence uploads of several GiB stream
for minutes): each worker process runs `threads` requests at once. Override any figure with the
GUNICORN_* variables in /etc/cameraregistry/env.
"""

import os

cores = os.cpu_count() or 1

wsgi_app = "cameraregistry.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A gthread worker keeps beating while its threads serve long uploads; this only catches a hung process.
timeout = 120
# On stop or reload, requests in flight get this long to finish (systemd's TimeoutStopSec is longer).
graceful_timeout = 60
keepalive = 5
# nginx on this machine is the only client allowed to say which scheme and address a request came from.
forwarded_allow_ips = "127.0.0.1,::1"
# Logs go to the journal; the app's own logging scrubs tokens, so request lines carry no query strings.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# Recycle workers now and then so a slow leak never grows for weeks.
max_requests = 5000
max_requests_jitter = 500


def child_exit(server, worker):
    """Drop a finished worker's live gauges from the summed /metrics (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
