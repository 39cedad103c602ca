"""The per-token rate limit lives in the shared cache (CACHE_URL): a second app server sees the count."""

from __future__ import annotations

import pytest

from cameraregistry.ratelimit import Window
from tests.api.helpers import api_client, is_problem, make_token
from tests.test_shared_cache import redis_cache  # noqa: F401 - the suite's Redis fixture

pytestmark = pytest.mark.django_db


def test_the_token_rate_limit_is_counted_in_redis(town, redis_cache, settings, one_rate_window):  # noqa: F811
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    token, secret = make_token(town["maple"])
    client = api_client(secret)
    assert client.get("/api/v1/registrations/", {"page_size": 1}).status_code == 200
    window = Window.current(60)
    key = f"ratelimit:api-token:{token.pk}:{window.index}"
    assert redis_cache.get(key) == 1
    # Another app server used the rest of this minute's allowance.
    redis_cache.incr(key)
    is_problem(client.get("/api/v1/registrations/", {"page_size": 1}), 429)
