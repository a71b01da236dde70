"""Credentials: selection per endpoint, signing, PKCE, and secrets that never show."""

from __future__ import annotations

import logging
import pickle
from urllib.parse import parse_qs, urlsplit

import pytest
from oauthlib.oauth1.rfc5849 import signature

from twxdata.auth import (
    BearerToken,
    Credentials,
    OAuth1User,
    OAuth2PKCE,
    OAuth2UserToken,
    Secret,
)
from twxdata.endpoints import ENDPOINTS, AuthKind
from twxdata.errors import AuthError

KEYS = {
    "consumer_key": "ck-SECRET1",
    "consumer_secret": "cs-SECRET2",
    "access_token": "1072250532645998596-SECRET3",
    "access_token_secret": "ats-SECRET4",
}
SECRETS = ["BEARER-SECRET0", "SECRET1", "SECRET2", "SECRET3", "SECRET4"]


def everything() -> Credentials:
    return Credentials.from_args(bearer_token="BEARER-SECRET0", **KEYS)


def test_reprs_and_strs_never_show_secrets():
    creds = everything()
    texts = [repr(creds), str(creds), repr(creds.bearer), repr(creds.oauth1), repr(Secret("x"))]
    texts += [f"{creds.bearer.token}", str(creds.oauth1.consumer_key)]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
    token = OAuth2UserToken(Secret("ACCESS-SECRET"), Secret("REFRESH-SECRET"))
    assert "SECRET" not in repr(token)


def test_secrets_refuse_to_be_pickled():
    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_environment_supplies_missing_values():
    env = {
        "TWXDATA_BEARER_TOKEN": "env-bearer",
        "TWXDATA_CONSUMER_KEY": "a",
        "TWXDATA_CONSUMER_SECRET": "b",
        "TWXDATA_ACCESS_TOKEN": "1-c",
        "TWXDATA_ACCESS_TOKEN_SECRET": "d",
    }
    creds = Credentials.load(environ=env)
    assert creds.bearer.token.reveal() == "env-bearer"
    assert creds.oauth1 is not None and creds.oauth1.user_id == "1"
    argued = Credentials.load(bearer_token="arg", environ=env)
    assert argued.bearer.token.reveal() == "arg"
    assert Credentials.load(environ={}).empty


def test_blank_values_count_as_missing():
    assert Credentials.from_args(bearer_token="  ").bearer is None


def test_partial_oauth1_is_explained():
    creds = Credentials.from_args(consumer_key="a", consumer_secret="b")
    with pytest.raises(AuthError, match="needs all four keys; only consumer_key, consumer_secret"):
        creds.for_endpoint(ENDPOINTS["like"])


def test_app_endpoints_take_the_bearer_token():
    creds = everything()
    assert creds.for_endpoint(ENDPOINTS["search_all_tweets"]) is creds.bearer
    assert creds.for_endpoint(ENDPOINTS["search_recent_tweets"]) is creds.bearer


def test_user_endpoints_take_oauth1_or_oauth2():
    creds = everything()
    assert creds.for_endpoint(ENDPOINTS["like"]) is creds.oauth1
    assert creds.for_endpoint(ENDPOINTS["search_recent_tweets"], user_auth=True) is creds.oauth1
    user = OAuth2UserToken(Secret("u"))
    both = Credentials.from_args(oauth2_user=user, **KEYS)
    assert both.for_endpoint(ENDPOINTS["get_bookmarks"]) is user  # OAuth 2.0 only
    assert both.for_endpoint(ENDPOINTS["get_home_timeline"]) is user


def test_bearer_is_tried_on_user_endpoints_since_it_may_be_a_user_token():
    creds = Credentials.from_args(bearer_token="t")
    assert creds.for_endpoint(ENDPOINTS["get_bookmarks"]) is creds.bearer
    user_kind = Credentials.from_args(bearer_token="t", bearer_kind=AuthKind.OAUTH2_USER)
    with pytest.raises(AuthError, match="search_all_tweets accepts a bearer token"):
        user_kind.for_endpoint(ENDPOINTS["search_all_tweets"])


def test_missing_credentials_error_says_what_to_do():
    with pytest.raises(AuthError) as err:
        Credentials().for_endpoint(ENDPOINTS["search_recent_tweets"])
    assert "TWXDATA_BEARER_TOKEN" in str(err.value) and "twxdata configure" in str(err.value)
    assert "`twxdata demo` works offline" in str(err.value)
    assert isinstance(err.value, TypeError)  # tweepy raises TypeError here
    with pytest.raises(AuthError, match="user_auth=True"):
        Credentials.from_args(bearer_token="t").for_endpoint(ENDPOINTS["like"], user_auth=True)


def test_bearer_header_and_key():
    bearer = BearerToken(Secret("abc"))
    assert bearer.headers("GET", "u") == {"Authorization": "Bearer abc"}
    assert "abc" not in bearer.key and bearer.key.startswith("app:")


def test_oauth1_signature_verifies():
    user = everything().oauth1
    assert isinstance(user, OAuth1User) and user.user_id == "1072250532645998596"
    url = "https://api.x.com/2/tweets/search/recent?query=a%20b&tweet.fields=lang%2Cid"
    header = user.headers("GET", url)["Authorization"]
    assert header.startswith("OAuth ")
    params = signature.collect_parameters(
        uri_query=urlsplit(url).query,
        headers={"Authorization": header},
        exclude_oauth_signature=True,
    )
    base = signature.signature_base_string(
        "GET", signature.base_string_uri(url), signature.normalize_parameters(params)
    )
    with pytest.warns(DeprecationWarning):
        expected = signature.sign_hmac_sha1(
            base, KEYS["consumer_secret"], KEYS["access_token_secret"]
        )
    sent = dict(
        signature.collect_parameters(
            headers={"Authorization": header}, exclude_oauth_signature=False
        )
    )
    assert sent["oauth_signature"] == expected
    assert sent["oauth_consumer_key"] == KEYS["consumer_key"]
    assert user.headers("GET", url) != user.headers("GET", url)  # fresh nonce per attempt


def test_pkce_flow_builds_urls_and_requests():
    flow = OAuth2PKCE("cid", "http://127.0.0.1:8765/cb", client_secret="CLIENT-SECRET")
    url = flow.authorization_url()
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [flow.state]
    assert "offline.access" in query["scope"][0]
    code = flow.code_from_redirect(f"http://127.0.0.1:8765/cb?state={flow.state}&code=XYZ")
    assert code == "XYZ"
    req = flow.token_request(code)
    body = parse_qs(req.body)
    assert body["grant_type"] == ["authorization_code"] and body["code"] == ["XYZ"]
    assert len(body["code_verifier"][0]) == 64
    assert req.headers["Authorization"].startswith("Basic ")
    assert "CLIENT-SECRET" not in repr(flow) and "code_verifier" not in repr(req)
    with pytest.raises(AuthError, match="state does not match"):
        flow.code_from_redirect("http://127.0.0.1:8765/cb?state=evil&code=XYZ")
    with pytest.raises(AuthError, match="refused: access_denied"):
        flow.code_from_redirect("http://127.0.0.1:8765/cb?error=access_denied")


def test_pkce_token_parsing_and_refresh():
    flow = OAuth2PKCE("cid", "http://127.0.0.1/cb")
    token = flow.parse_token(
        b'{"token_type":"bearer","expires_in":7200,"access_token":"AT","scope":"tweet.read '
        b'offline.access","refresh_token":"RT"}',
        now=1000.0,
    )
    assert token.access_token.reveal() == "AT" and token.expires_at == 8200.0
    assert token.expired(now=8150.0) and not token.expired(now=1000.0)
    refresh = parse_qs(flow.refresh_request(token).body)
    assert refresh["grant_type"] == ["refresh_token"] and refresh["refresh_token"] == ["RT"]
    with pytest.raises(AuthError, match="no refresh token"):
        flow.refresh_request(OAuth2UserToken(Secret("x")))
    with pytest.raises(AuthError, match="did not return an access_token"):
        flow.parse_token(b'{"error":"invalid_grant"}')


def test_logging_a_credentials_object_leaks_nothing(caplog):
    caplog.set_level(logging.DEBUG)
    creds = everything()
    logging.getLogger("x").debug("using %s %r %s", creds, creds.oauth1, creds.bearer)
    for secret in SECRETS:
        assert secret not in caplog.text
