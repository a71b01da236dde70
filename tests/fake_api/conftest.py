"""Fixtures for the fake X API tests: a shared corpus, a running server, a small client, and
a validator for the official OpenAPI spec (from ``../shared``, skipped when absent)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.pytest_plugin import fake_x_api  # noqa: F401 - the plugin's fixture

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw)


class Client:
    """GETs against a fake API with one keep-alive session."""

    def __init__(self, api: FakeXApi, session: aiohttp.ClientSession) -> None:
        self.api = api
        self.session = session

    async def get(
        self, path: str, *, token: str | None = None, auth: str | None = None, **params: Any
    ) -> Reply:
        headers = {"Authorization": auth} if auth is not None else self.api.headers(token)
        params = {k.replace("__", "."): str(v) for k, v in params.items() if v is not None}
        async with self.session.get(self.api.url + path, params=params, headers=headers) as r:
            return Reply(r.status, dict(r.headers), await r.read())

    async def walk(
        self,
        path: str,
        token_param: str = "pagination_token",
        start: str | None = None,
        **params: Any,
    ) -> list[dict[str, Any]]:
        """Every page of a paginated endpoint, following ``meta.next_token``."""
        pages = []
        token = start
        for _ in range(10_000):
            reply = await self.get(path, **params, **({token_param: token} if token else {}))
            assert reply.status == 200, reply.raw[:300]
            pages.append(reply.body)
            token = reply.body.get("meta", {}).get("next_token")
            if not token:
                return pages
        raise AssertionError("pagination did not end")


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """A read-only corpus shared by tests that do not mutate it."""
    return Corpus(seed=11, size=4_000, end=END)


@pytest.fixture
async def api(corpus: Corpus) -> AsyncIterator[FakeXApi]:
    # Rate limits have their own tests; here they would only slow walks down.
    async with FakeXApi(corpus, min_interval=0.0, limits=10**6) as server:
        yield server


@pytest.fixture
async def client(api: FakeXApi) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(api, session)


@pytest.fixture
def make_client() -> Any:
    """Build a ``Client`` for a server a test starts itself."""

    def make(api: FakeXApi, session: aiohttp.ClientSession) -> Client:
        return Client(api, session)

    return make


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference material not found at {SHARED} (the repo's sibling shared/)")
    return SHARED.resolve()


# Where the spec contradicts itself, real responses cannot validate either. ReplySettings lists
# "mentionedUsers" (what the API sends) in its enum but also requires ^[A-Za-z]{1,12}$.
SPEC_DEFECTS = ("'mentionedUsers' does not match '^[A-Za-z]{1,12}$'",)


class Spec:
    """Validates bodies against the response schemas of the official OpenAPI spec."""

    def __init__(self, path: Path) -> None:
        from openapi_schema_validator import OAS30Validator, oas30_format_checker
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4

        self.doc = json.loads(path.read_text())
        resource = Resource.from_contents(self.doc, default_specification=DRAFT4)
        self.registry = Registry().with_resource("urn:x-api", resource)
        self._validator = OAS30Validator
        self._formats = oas30_format_checker
        schemas = self.doc["components"]["schemas"]
        self.problem_types = schemas["Problem"]["discriminator"]["mapping"]
        self.media_types = schemas["Media"]["discriminator"]["mapping"]

    def _errors(self, ref: str, value: Any) -> list[str]:
        v = self._validator(
            {"$ref": "urn:x-api" + ref}, registry=self.registry, format_checker=self._formats
        )
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(value)]

    def response_ref(self, template: str, status: int) -> str:
        responses = self.doc["paths"][template]["get"]["responses"]
        if status == 200:
            return responses["200"]["content"]["application/json"]["schema"]["$ref"]
        return responses["default"]["content"]["application/problem+json"]["schema"]["$ref"]

    def check(self, template: str, status: int, body: Any) -> list[str]:
        """Everything wrong with ``body`` as a ``status`` answer of ``GET template``."""
        problems = [
            m
            for m in self._errors(self.response_ref(template, status), body)
            if not any(defect in m for defect in SPEC_DEFECTS)
        ]
        # The spec's discriminators are not enforced by JSON Schema; apply them by hand.
        items = body.get("errors", []) if status == 200 else [body]
        for err in items:
            ref = self.problem_types.get(err.get("type", ""))
            if ref is None:
                problems.append(f"errors: unknown problem type {err.get('type')!r}")
            else:
                problems += [f"errors[{err.get('type')}]: {m}" for m in self._errors(ref, err)]
        for media in body.get("includes", {}).get("media", []):
            ref = self.media_types.get(media.get("type", ""))
            if ref is None:
                problems.append(f"media: unknown type {media.get('type')!r}")
            else:
                problems += [f"media: {m}" for m in self._errors(ref, media)]
        return problems


@pytest.fixture(scope="session")
def spec(shared: Path) -> Spec:
    pytest.importorskip("openapi_schema_validator")
    return Spec(shared / "x-api" / "openapi.json")


@dataclass
class Sample:
    """A request that exercises one endpoint with data behind it."""

    name: str
    path: str
    params: dict[str, str]
    template: str
    auth: str | None = None  # Authorization header, when the endpoint is about "me"


def _private() -> frozenset[str]:
    from twxdata.fields import PRIVATE_MEDIA_FIELDS, PRIVATE_TWEET_FIELDS, PRIVATE_USER_FIELDS

    return PRIVATE_TWEET_FIELDS | PRIVATE_USER_FIELDS | PRIVATE_MEDIA_FIELDS


def full_fields(name: str) -> dict[str, str]:
    """Every public field and every expansion an endpoint takes."""
    from twxdata.endpoints import ENDPOINTS
    from twxdata.fields import FIELD_PARAMS

    e = ENDPOINTS[name]
    params = {p: ",".join(sorted(FIELD_PARAMS[p] - _private())) for p in e.field_params}
    if e.expansions:
        params["expansions"] = ",".join(sorted(e.expansions))
    return params


def samples(api: FakeXApi) -> list[Sample]:
    """One data-rich request per read endpoint the fake serves."""
    import numpy as np

    from twxdata.endpoints import ENDPOINTS
    from twxdata.testing.activity import ComplianceJob
    from twxdata.testing.server import HANDLERS

    c = api.corpus
    ok = [u for u in range(c.users.n) if c.user_state(u) == "ok"]
    me = max(ok, key=lambda u: (c.lists.followed(u).size > 0, c.likes.liked(u).size))
    me_id = str(int(c.users.ids[me]))
    me_auth = f'OAuth oauth_consumer_key="k", oauth_token="{api.oauth1_token(me_id)}"'
    visible = c.visible_rows()
    score = (
        c.posts.quote_count[visible] + c.posts.retweet_count[visible] + c.posts.like_count[visible]
    )
    row = int(visible[int(np.argmax(score))])
    tweet_id = str(int(c.posts.ids[row]))
    quoted = max(visible, key=lambda i: int(c.visible[c.quotes_of(int(i))].sum()))
    owner = next(
        int(c.lists.owner[k])
        for k in range(c.lists.n)
        if c.user_state(int(c.lists.owner[k])) == "ok"
    )
    member = max(range(c.users.n), key=lambda u: c.lists.memberships(u).size)
    degrees = c.follows.in_degree + c.follows.out_degree
    author = max(range(c.users.n), key=lambda u: (c.user_state(u) == "ok", degrees[u]))
    user_id = str(int(c.users.ids[author]))
    public = [k for k in range(c.lists.n) if not c.lists.private[k]]
    list_id = str(int(c.lists.ids[max(public, key=lambda k: c.lists.members(k).size)]))
    space = c.spaces.ids[0]
    some_tweets = ",".join(str(int(c.posts.ids[i])) for i in visible[-30:])
    some_users = [u for u in range(c.users.n) if c.user_state(u) in ("ok", "protected")][:20]
    job = ComplianceJob(c.state.activity.new_id(api.now()), "tweets", "sample", False, api.now())
    c.state.activity.jobs[job.id] = job
    out = []
    for e in ENDPOINTS.values():
        if e.method != "GET" or e.name not in HANDLERS or e.path.endswith("/stream"):
            continue  # a stream is no request and answer: tests/stream
        path = e.path
        for p in e.path_params:
            if p == "username":
                value = c.users.username(author)
            elif e.me or e.name == "get_home_timeline":
                value = me_id
            elif e.name == "get_quote_tweets":
                value = str(int(c.posts.ids[quoted]))
            elif e.name == "get_owned_lists":
                value = str(int(c.users.ids[owner]))
            elif e.name == "get_list_memberships":
                value = str(int(c.users.ids[member]))
            elif e.path.startswith("/2/tweets/"):
                value = tweet_id
            elif e.path.startswith("/2/lists/"):
                value = list_id
            elif e.path.startswith("/2/spaces/"):
                value = space
            elif e.name == "get_compliance_job":
                value = str(job.id)
            else:
                value = user_id
            path = path.replace("{" + p + "}", value)
        params: dict[str, str] = {}
        if "query" in e.required:
            params["query"] = "data" if "spaces" in e.path else "the OR data OR new OR #python"
        if e.ids_param == "ids":
            if e.path.startswith("/2/spaces"):
                params["ids"] = ",".join(c.spaces.ids[:5])
            elif e.path.startswith("/2/tweets"):
                params["ids"] = some_tweets
            else:
                params["ids"] = ",".join(str(int(c.users.ids[u])) for u in some_users)
        elif e.ids_param == "usernames":
            params["usernames"] = ",".join(c.users.username(u) for u in some_users)
        elif e.ids_param == "user_ids":
            params["user_ids"] = ",".join(str(int(c.users.ids[int(u)])) for u in c.spaces.creator)
        if e.name == "search_all_tweets":
            params["max_results"] = "100"
        if "type" in e.required:  # compliance jobs
            params["type"] = "tweets"
        auth = me_auth if e.me or e.name == "get_home_timeline" else None
        out.append(Sample(e.name, path, params, e.path, auth))
    return out


@pytest.fixture
def sample_requests(api: FakeXApi) -> list[Sample]:
    return samples(api)


@pytest.fixture(scope="session")
def fields_for() -> Any:
    """``fields_for(endpoint_name)``: params asking for every public field and expansion."""
    return full_fields
