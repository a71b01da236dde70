"""The endpoint table against the official OpenAPI spec and tweepy's AsyncClient surface."""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

import pytest
from helpers.shared import SHARED, load_json, need_shared

from twxdata import fields
from twxdata.endpoints import (
    ENDPOINTS,
    METHOD_ALIASES,
    AuthKind,
    Endpoint,
    by_route,
    get_endpoint,
)

SECURITY = {
    "BearerToken": AuthKind.APP,
    "OAuth2UserToken": AuthKind.OAUTH2_USER,
    "UserToken": AuthKind.OAUTH1,
}


@cache
def spec() -> dict[str, Any]:
    need_shared()
    return load_json(SHARED / "x-api" / "openapi.json")


def operation(e: Endpoint) -> dict[str, Any]:
    return spec()["paths"][e.path][e.method.lower()]


def parameters(e: Endpoint) -> dict[str, dict[str, Any]]:
    out = {}
    for p in operation(e).get("parameters", []):
        if "$ref" in p:
            p = spec()["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]
        out[p["name"]] = p
    return out


IN_SPEC = [pytest.param(e, id=e.name) for e in ENDPOINTS.values() if e.in_spec]


@pytest.mark.parametrize("e", IN_SPEC)
def test_path_and_method_exist_in_the_spec(e: Endpoint) -> None:
    assert e.path in spec()["paths"], e.path
    assert e.method.lower() in spec()["paths"][e.path]


@pytest.mark.parametrize("e", IN_SPEC)
def test_query_parameters_match_the_spec(e: Endpoint) -> None:
    params = parameters(e)
    query = {n for n, p in params.items() if p["in"] == "query"}
    # The spec lists both next_token and pagination_token on search and counts; X honours the
    # one CONTRACT.md names, so the table keeps one.
    assert e.query_params <= query, e.query_params - query
    missing = query - e.query_params - {"pagination_token", "next_token"}
    missing -= {"search_count.fields", "compliance_job.fields"} & missing  # not used by tweepy
    if e.name in ("get_space_buyers", "get_space_tweets", "search_spaces"):
        missing -= {"max_results", "pagination_token"}
    assert not missing, f"spec parameters the table lacks: {missing}"
    path = {n for n, p in params.items() if p["in"] == "path"}
    assert set(e.path_params) == path


@pytest.mark.parametrize("e", IN_SPEC)
def test_page_size_bounds_match_the_spec(e: Endpoint) -> None:
    max_results = parameters(e).get("max_results")
    if e.page_size is None:
        return
    assert max_results is not None
    schema = max_results["schema"]
    assert e.page_size == (schema["minimum"], schema["maximum"])
    if "default" in schema and e.api_default_page_size is not None:
        assert e.api_default_page_size == schema["default"]


@pytest.mark.parametrize("e", IN_SPEC)
def test_field_values_and_expansions_match_the_spec(e: Endpoint) -> None:
    params = parameters(e)
    for name in e.field_params:
        enum = set(params[name]["schema"]["items"]["enum"])
        assert fields.FIELD_PARAMS[name] == enum, name
    if e.expansions:
        assert e.expansions == set(params["expansions"]["schema"]["items"]["enum"])
    for name, choices in e.choices.items():
        schema = params[name]["schema"]
        enum = schema.get("enum") or schema.get("items", {}).get("enum")
        assert choices == set(enum), name


@pytest.mark.parametrize("e", IN_SPEC)
def test_auth_kinds_match_the_spec(e: Endpoint) -> None:
    security = {SECURITY[next(iter(s))] for s in operation(e).get("security", [])}
    assert e.auth == security


@pytest.mark.parametrize("e", IN_SPEC)
def test_id_lists_and_body_keys_match_the_spec(e: Endpoint) -> None:
    if e.ids_param:
        schema = parameters(e)[e.ids_param]["schema"]
        assert schema.get("maxItems") == e.max_ids
    body = operation(e).get("requestBody")
    if body and e.body:
        schema = body["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        props = set(schema.get("properties", {}))
        if props:
            assert e.body <= props, e.body - props


def test_every_tweepy_asyncclient_method_has_an_endpoint() -> None:
    need_shared()
    lines = (SHARED / "seed" / "asyncclient-methods.txt").read_text().splitlines()
    methods = {line.split("(", 1)[0] for line in lines if line.strip()}
    assert len(methods) == 65
    served = {e.method_name for e in ENDPOINTS.values() if e.method_name}  # "": twxdata's own
    assert methods - served <= set(METHOD_ALIASES) | {"unhide_reply"}
    assert methods <= served | set(METHOD_ALIASES)
    assert served <= methods


def test_records_are_frozen_and_complete() -> None:
    for e in ENDPOINTS.values():
        with pytest.raises(AttributeError):
            e.path = "/x"  # type: ignore[misc]
        assert e.bucket == f"{e.method} {e.path}"
        assert (e.page_token is None) or e.page_size or e.name == "get_all_tweets_count"
        if e.paginated and e.page_size:
            assert e.default_page_size == e.page_size[1]
        assert e.limit_app or e.limit_user
        assert e.auth
        assert e.page_token in (None, "next_token", "pagination_token")
        if e.page_token == "next_token":
            assert "/search/" in e.path or "/counts/" in e.path


def test_page_token_names_follow_the_contract() -> None:
    assert ENDPOINTS["search_recent_tweets"].page_token == "next_token"
    assert ENDPOINTS["get_all_tweets_count"].page_token == "next_token"
    assert ENDPOINTS["get_recent_tweets_count"].page_token is None
    assert ENDPOINTS["get_users_followers"].page_token == "pagination_token"
    assert ENDPOINTS["search_all_tweets"].min_interval == 1.0


def test_routes_resolve_literal_segments_first() -> None:
    assert by_route("GET", "/2/users/by").name == "get_users_by_usernames"
    assert by_route("GET", "/2/users/me").name == "get_me"
    assert by_route("GET", "/2/users/12").name == "get_user"
    assert by_route("get", "/2/tweets/search/recent").name == "search_recent_tweets"
    assert by_route("PATCH", "/2/tweets") is None


def test_unknown_endpoint_names_suggest_close_ones() -> None:
    with pytest.raises(KeyError, match="did you mean search_recent_tweets"):
        get_endpoint("search_recent_tweet")


def test_vocabularies_match_the_spec_enums() -> None:
    comps = spec()["components"]["parameters"]
    pairs = {
        "TweetFieldsParameter": fields.TWEET_FIELDS,
        "UserFieldsParameter": fields.USER_FIELDS,
        "MediaFieldsParameter": fields.MEDIA_FIELDS,
        "PlaceFieldsParameter": fields.PLACE_FIELDS,
        "PollFieldsParameter": fields.POLL_FIELDS,
        "ListFieldsParameter": fields.LIST_FIELDS,
        "SpaceFieldsParameter": fields.SPACE_FIELDS,
        "TopicFieldsParameter": fields.TOPIC_FIELDS,
        "DmEventFieldsParameter": fields.DM_EVENT_FIELDS,
        "ComplianceJobFieldsParameter": fields.COMPLIANCE_JOB_FIELDS,
    }
    for name, values in pairs.items():
        assert set(comps[name]["schema"]["items"]["enum"]) == values, name
    for research, vocabulary in [
        (fields.RESEARCH_TWEET_FIELDS, fields.TWEET_FIELDS),
        (fields.RESEARCH_USER_FIELDS, fields.USER_FIELDS),
        (fields.RESEARCH_MEDIA_FIELDS, fields.MEDIA_FIELDS),
        (fields.RESEARCH_TWEET_EXPANSIONS, fields.TWEET_EXPANSIONS),
    ]:
        assert set(research) <= vocabulary
        assert not set(research) & (fields.PRIVATE_TWEET_FIELDS | fields.PRIVATE_USER_FIELDS)


def test_module_docstring_example_runs() -> None:
    import twxdata.endpoints as module

    assert ">>>" in inspect.getdoc(module)
