"""SSRF: webhooks go to public https addresses only, checked when saved and again when sending."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.api.helpers import make_token
from tests.webhooks.helpers import committing, endpoint_for
from webhooks.addresses import UnsafeAddress, address_allowed, target_parse, url_check
from webhooks.delivery import delivery_attempt
from webhooks.services import webhook_endpoint_create, webhook_event_emit

REFUSED_ALWAYS = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/hook",
    "https://10.255.1.1:8443/hook",
    "https://192.168.1.20/hook",
    "https://172.16.0.1/hook",
    "https://100.64.0.1/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "ftp://example.org/hook",
    "javascript:alert(1)",
    "https://user:pass@8.8.8.8/hook",
    "https://8.8.8.8/hook#fragment",
    "https:///nohost",
    "https://8.8.8.8:99999/",
    "https://exa mple.org/",
    "",
]


@pytest.mark.parametrize("url", REFUSED_ALWAYS)
@pytest.mark.parametrize("loopback", [False, True])
def test_private_link_local_and_malformed_urls_are_refused(settings, url, loopback):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = loopback
    with pytest.raises(UnsafeAddress) as refused:
        url_check(url)
    assert str(refused.value)


@pytest.mark.parametrize(
    "url", ["https://[::1]/hook", "http://[::1]:8080/hook", "http://127.0.0.1:8080/hook", "https://localhost/hook"]
)
def test_loopback_is_refused_unless_allowed(settings, url):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(UnsafeAddress):
        url_check(url)


def test_plain_http_only_to_loopback_names_and_only_when_allowed(settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    assert url_check("http://127.0.0.1:9/x")[2] == "127.0.0.1"
    with pytest.raises(UnsafeAddress, match="https"):
        target_parse("http://8.8.8.8/x")
    with pytest.raises(UnsafeAddress, match="https"):
        target_parse("http://[::1]/x")  # loopback, but not one of the allowed names
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(UnsafeAddress, match="https"):
        target_parse("http://127.0.0.1:9/x")


@pytest.mark.slow
def test_public_addresses_pass(settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    assert address_allowed("8.8.8.8") and address_allowed("2606:4700:4700::1111")
    assert url_check("https://8.8.8.8/hook")[1].path == "/hook"


@pytest.mark.django_db
def test_the_service_names_the_url_field(town):
    token, _secret = make_token(town["maple"], scopes=("webhooks:manage", "registrations:read"))
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(
            actor=token.account, token=token, url="https://169.254.169.254/", events=["registration.withdrawn"]
        )
    assert "url" in refused.value.message_dict
    assert "169.254.169.254" in refused.value.message_dict["url"][0]


@pytest.mark.django_db
def test_the_address_is_checked_again_when_sending(town, settings, receiver):
    """Saved while loopback was allowed; refused at delivery once it is not: nothing reaches the receiver."""
    endpoint_for(town["maple"], receiver.url, ["registration.withdrawn"], ("webhooks:manage", "registrations:read"))
    with committing():
        [delivery] = webhook_event_emit(agency=town["maple"], event="registration.withdrawn", payload={})
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    assert delivery_attempt(delivery.pk).outcome == "pending"
    delivery.refresh_from_db()
    assert "https" in delivery.last_error and delivery.last_status_code is None
    assert receiver.requests == []
