"""The one mechanism behind owners' and footage-request links (cameraregistry/signed_links.py)."""

from datetime import timedelta

import pytest
from django.core import signing

from cameraregistry.signed_links import LinkError, link_secret_hash, new_link, secret_hash

DAY = timedelta(days=1)


def test_the_stored_hash_is_what_the_link_points_at_and_not_the_secret():
    stored, value = new_link("kind-a")
    assert link_secret_hash(value, "kind-a", DAY) == stored
    secret = signing.TimestampSigner(salt="kind-a").unsign(value)
    assert stored == secret_hash(secret) and secret not in stored and len(secret) >= 43


def test_two_links_never_share_a_secret():
    assert len({new_link("kind-a")[0] for _ in range(50)}) == 50


def test_a_link_of_one_kind_does_not_open_another_kind():
    _, value = new_link("kind-a")
    with pytest.raises(LinkError) as error:
        link_secret_hash(value, "kind-b", DAY)
    assert error.value.reason == "invalid"


@pytest.mark.parametrize(
    "mangle", [lambda v: v[:-1] + ("x" if v[-1] != "x" else "y"), lambda v: "", lambda v: "\x00" * 500]
)
def test_an_altered_link_is_invalid(mangle):
    _, value = new_link("kind-a")
    with pytest.raises(LinkError) as error:
        link_secret_hash(mangle(value), "kind-a", DAY)
    assert error.value.reason == "invalid"


def test_an_old_link_is_expired_by_its_signature_alone(settings):
    _, value = new_link("kind-a")
    with pytest.raises(LinkError) as error:
        link_secret_hash(value, "kind-a", timedelta(seconds=-1))
    assert error.value.reason == "expired"
