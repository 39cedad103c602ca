"""Prometheus metrics at /metrics, written with prometheus_client (no per-query database wrappers).

The middleware does two cheap things per request: one counter increment (method, status class) and one
histogram observation (duration). Queue depth and the worker heartbeat age are read only when scraped.
Under gunicorn the web unit sets PROMETHEUS_MULTIPROC_DIR so every worker process's counts are summed
(deploy/gunicorn.conf.py marks exited workers dead).

Access: a client address inside METRICS_ALLOWED_NETWORKS (default: this machine only), or signed-in staff
with the dashboard permission. Anyone else gets 403.
"""

from __future__ import annotations

import ipaddress
import os
import time

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from accounts.access import Permission, has_permission
from cameraregistry.http import client_ip
from cameraregistry.readiness import HEARTBEAT_TASK_PATH

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter("cameraregistry_http_requests", "HTTP requests answered", ["method", "status"])
DURATION = Histogram(
    "cameraregistry_http_request_duration_seconds",
    "Time to answer an HTTP request",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)


class MetricsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        DURATION.observe(time.perf_counter() - started)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, f"{response.status_code // 100}xx").inc()
        return response


class QueueCollector:
    """Read at scrape time: tasks waiting for a worker, and seconds since a worker ran the heartbeat."""

    def collect(self):
        waiting = GaugeMetricFamily("cameraregistry_tasks_waiting", "Background tasks queued and not yet run")
        waiting.add_metric([], DBTaskResult.objects.filter(status=TaskResultStatus.READY).count())
        yield waiting
        last = DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK_PATH, status=TaskResultStatus.SUCCESSFUL).aggregate(
            last=Max("finished_at")
        )["last"]
        age = GaugeMetricFamily(
            "cameraregistry_worker_heartbeat_age_seconds", "Seconds since a worker last ran the heartbeat task"
        )
        age.add_metric([], (timezone.now() - last).total_seconds() if last else float("inf"))
        yield age


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(QueueCollector())
    return registry


class _ProcessMetrics:
    """This process's own metrics (single-process servers, tests)."""

    def collect(self):
        yield from REGISTRY.collect()


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in settings.METRICS_ALLOWED_NETWORKS]


def _address_allowed(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in allowed_networks())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not (_address_allowed(request) or has_permission(request.user, Permission.VIEW_DASHBOARD)):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
