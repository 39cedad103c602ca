"""With CACHE_URL pointing at a real Redis server, the limits that must hold across app servers
(the staff sign-in throttle by address, the registration rate limit) live in Redis, not in one
process's memory: a second app server, with its own connection, sees them at once."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from tests.staff_fixtures import make_staff

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings):
    """The suite's cache switched to Redis under a key prefix of its own; a second, separate client."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        reason = f"no Redis server at {REDIS_URL} ({error}): start redis-server to run the shared-cache tests"
        print(reason)
        pytest.skip(reason)
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    other_server = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield other_server
    raw = redis.Redis.from_url(REDIS_URL)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_sign_in_throttle_is_shared_by_every_app_server(town, redis_cache):
    make_staff(town["maple"], "administrator", username="chief")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for index in range(10):
        attacker.post(
            "/staff/sign-in/", {"acknowledge": "on", "username": f"guess.{index}", "password": "wrong-pass-1"}
        )
    assert redis_cache.get("signin-throttle:blocked-until:203.0.113.9") is not None
    refused = attacker.post("/staff/sign-in/", {"acknowledge": "on", "username": "chief", "password": "x-wrong-2"})
    assert refused.status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.2").get("/staff/sign-in/").status_code == 200


@pytest.mark.django_db
def test_the_registration_rate_limit_is_counted_in_redis(redis_cache):
    from cameraregistry.ratelimit import hit

    assert all(hit("register", "192.0.2.1", limit=3, window_seconds=60) for _ in range(3))
    assert redis_cache.get("ratelimit:register:192.0.2.1") == 3
    assert not hit("register", "192.0.2.1", limit=3, window_seconds=60)


@pytest.mark.django_db
def test_completed_registrations_per_network_are_counted_in_redis(town, redis_cache, one_rate_window):
    from cameraregistry.ratelimit import Window
    from tests.registrations.helpers import form_data, post

    maple = town["maple"]
    maple.registrations_per_hour_per_network = 1
    maple.save()
    resident = Client(REMOTE_ADDR="192.0.2.1")
    assert post(resident, form_data(maple.current_terms().pk)).status_code == 302
    window = Window.current(3600)
    assert redis_cache.get(f"ratelimit:register-done:{maple.pk}:192.0.2.1:{window.index}") == 1
    assert redis_cache.get(f"ratelimit:register-post:192.0.2.1:{window.index}") == 1
    refused = post(Client(REMOTE_ADDR="192.0.2.1"), form_data(maple.current_terms().pk))
    assert refused.status_code == 429 and "please send it again after" in refused.content.decode()
