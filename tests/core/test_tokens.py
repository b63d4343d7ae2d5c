"""A token is this platform's, unaltered and unexpired, or nothing."""

import json
import time

import jwt
import pytest
from jwt.utils import base64url_decode, base64url_encode

from services.core.auth import AUDIENCE, Principal, Role, issue_token, read_token
from services.core.problems import Problem

SECRET = "a-test-secret-of-enough-length-0123456789"


def forged(**claims) -> str:
    now = int(time.time())
    return jwt.encode({"sub": "center-532622", "role": "dispatcher", "iat": now, "exp": now + 600,
                       "aud": AUDIENCE, **claims}, SECRET, algorithm="HS256")


def test_a_token_says_who_it_is():
    token = issue_token(Principal("center-532622", Role.dispatcher, region="532622"), SECRET, 600)
    assert read_token(token, SECRET) == Principal("center-532622", Role.dispatcher, region="532622")


@pytest.mark.parametrize("token", [
    forged(exp=int(time.time()) - 1),                      # expired
    forged(aud="another-system"),                          # signed for someone else
    forged(role="emperor"),                                # no such role
    jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) + 600}, SECRET,
               algorithm="HS256"),                         # no audience
    jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) + 600, "aud": AUDIENCE},
               "another-secret-of-enough-length-987654321", algorithm="HS256"),  # wrong signature
    "not.a.token",
    forged(sub="x" * 101),                                 # longer than who-did-what columns
    forged(unit="532622100\x00"),                          # a NUL, which PostgreSQL refuses
    forged(region=532622),                                 # not text
])
def test_a_bad_token_is_a_401(token):
    with pytest.raises(Problem) as refused:
        read_token(token, SECRET)
    assert refused.value.status == 401


def test_a_role_changed_after_signing_is_refused():
    header, payload, signature = issue_token(Principal("h", Role.handler, unit="532622100"),
                                             SECRET, 600).split(".")
    claims = json.loads(base64url_decode(payload))
    tampered = base64url_encode(json.dumps({**claims, "role": "admin"}).encode()).decode()
    with pytest.raises(Problem):
        read_token(f"{header}.{tampered}.{signature}", SECRET)
