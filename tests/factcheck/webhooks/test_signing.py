"""Signing deliveries and checking signatures as a receiver does (factcheck/webhooks/signing.py)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.webhooks.signing import (
    TOLERANCE_SECONDS,
    InvalidSignature,
    new_secret,
    sign,
    signature_header,
    verify,
)

SECRET = "whsec_test-secret"
BODY = b'{"data":{"claim":{"id":7}},"id":"3f1c","type":"claim.flagged"}'
NOW = 1_800_000_000


def test_the_signature_is_hmac_sha256_of_the_time_a_dot_and_the_body():
    header = signature_header(SECRET, BODY, timestamp=NOW)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert sign(SECRET, NOW, BODY) == expected


def test_a_good_signature_verifies_and_gives_its_time():
    header = signature_header(SECRET, BODY, timestamp=NOW)
    assert verify(SECRET, BODY, header, now=NOW + 10) == NOW


@pytest.mark.parametrize(
    ("secret", "body", "why"),
    [
        ("whsec_another", BODY, "another secret"),
        (SECRET, BODY.replace(b"7", b"8"), "a body changed in transit"),
        (SECRET, BODY + b" ", "a byte added"),
    ],
)
def test_a_signature_from_another_secret_or_for_another_body_is_refused(secret, body, why):
    header = signature_header(SECRET, BODY, timestamp=NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(secret, body, header, now=NOW)


def test_a_replayed_request_with_its_old_time_is_refused():
    """The time is signed with the body: an attacker who captured a delivery cannot refresh it."""
    old = signature_header(SECRET, BODY, timestamp=NOW)
    assert verify(SECRET, BODY, old, now=NOW + TOLERANCE_SECONDS) == NOW  # at the limit: still good
    with pytest.raises(InvalidSignature, match="replayed"):
        verify(SECRET, BODY, old, now=NOW + TOLERANCE_SECONDS + 1)
    # Changing the time to now breaks the signature.
    forged = old.replace(f"t={NOW}", f"t={NOW + 3600}")
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, BODY, forged, now=NOW + 3600)


def test_a_signature_from_the_future_is_refused_too():
    header = signature_header(SECRET, BODY, timestamp=NOW + TOLERANCE_SECONDS + 60)
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, header, now=NOW)


def test_any_of_several_v1_signatures_may_match_and_unknown_schemes_are_skipped():
    good = sign(SECRET, NOW, BODY)
    header = f"t={NOW},v1={'0' * 64},v2=whatever,v1={good}"
    assert verify(SECRET, BODY, header, now=NOW) == NOW


@pytest.mark.parametrize(
    "header",
    ["", "v1=abc", f"t={NOW}", f"t=soon,v1={'a' * 64}", f"t={NOW},t={NOW},v1=a", "garbage", "t" * 2000],
)
def test_malformed_headers_are_refused_with_a_reason(header):
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, header, now=NOW)


def test_secrets_are_long_random_and_say_what_they_are():
    first, second = new_secret(), new_secret()
    assert first != second
    assert first.startswith("whsec_") and len(first) >= 6 + 43


@given(header=st.text(max_size=300), body=st.binary(max_size=200))
def test_verify_refuses_any_header_it_did_not_make_and_never_crashes(header, body):
    """Outside input: whatever a sender puts in the header, the answer is InvalidSignature, not a 500."""
    with pytest.raises(InvalidSignature):
        verify(SECRET, body, header, now=NOW)


@given(body=st.binary(max_size=500), timestamp=st.integers(min_value=0, max_value=10**11))
def test_what_signature_header_makes_verify_accepts(body, timestamp):
    assert (
        verify(SECRET, body, signature_header(SECRET, body, timestamp=timestamp), now=timestamp) == timestamp
    )


def readme_verify():
    """The ``verify`` the README gives receivers, from the README itself."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Webhooks") : readme.index("### The `analyze` contract")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README
    return namespace["verify"]


def test_the_readme_shows_receivers_a_verify_that_works():
    verify_as_documented = readme_verify()
    header = signature_header(SECRET, BODY)
    verify_as_documented(SECRET, BODY, header)  # no error
    for secret, body, signed in [
        ("whsec_another", BODY, header),
        (SECRET, BODY + b" ", header),
        (SECRET, BODY, signature_header(SECRET, BODY, timestamp=int(time.time()) - TOLERANCE_SECONDS - 5)),
    ]:
        with pytest.raises(ValueError):
            verify_as_documented(secret, body, signed)
