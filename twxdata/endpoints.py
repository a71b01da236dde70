"""Every X API v2 endpoint twxdata speaks, as one table of frozen records.

One record per HTTP endpoint (method + path). Everything else in the package — validation,
request building, pagination, rate-limit buckets, the fake API, the tweepy-compatible client —
reads its facts from here instead of repeating them. ``ENDPOINTS`` is keyed by a unique name;
``Endpoint.method_name`` says which tweepy ``AsyncClient`` method the endpoint serves (some
methods, such as ``get_user``, choose between two endpoints).

Sources: the official OpenAPI spec 2.166 (paths, parameters, page-size bounds, auth kinds) and
the X docs and real response headers summarised in ``shared/x-api/CONTRACT.md`` (page-token
names, rate limits). ``tests/test_endpoints_spec.py`` checks the table against the spec.

>>> from twxdata.endpoints import ENDPOINTS
>>> e = ENDPOINTS["search_recent_tweets"]
>>> (e.method, e.path, e.page_token, e.page_size, e.default_page_size)
('GET', '/2/tweets/search/recent', 'next_token', (10, 100), 100)
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from types import MappingProxyType

from twxdata.fields import (
    DM_EVENT_EXPANSIONS,
    LIST_EXPANSIONS,
    SPACE_EXPANSIONS,
    TWEET_EXPANSIONS,
    USER_EXPANSIONS,
)

WINDOW_SECONDS = 900  # X counts every documented limit per 15-minute window


class AuthKind(str, enum.Enum):
    """The kinds of credentials an endpoint accepts."""

    APP = "app"  # OAuth 2.0 app-only bearer token
    OAUTH1 = "oauth1"  # OAuth 1.0a user context
    OAUTH2_USER = "oauth2_user"  # OAuth 2.0 user access token (Authorization Code + PKCE)


class Result(str, enum.Enum):
    """What the ``data`` of a successful response holds."""

    TWEETS = "tweets"
    USERS = "users"
    COUNTS = "counts"
    LISTS = "lists"
    SPACES = "spaces"
    DM_EVENTS = "dm_events"
    COMPLIANCE_JOBS = "compliance_jobs"
    USAGE = "usage"  # the project's post reads against its monthly cap
    RULES = "rules"  # the filtered stream's rules ({"id", "value", "tag"})
    ACTION = "action"  # a write: data is a small confirmation object ({"liked": true}, ...)


ANY_AUTH = frozenset(AuthKind)
USER_AUTH = frozenset({AuthKind.OAUTH1, AuthKind.OAUTH2_USER})
APP_ONLY = frozenset({AuthKind.APP})
OAUTH2_ONLY = frozenset({AuthKind.OAUTH2_USER})
APP_OR_OAUTH2 = frozenset({AuthKind.APP, AuthKind.OAUTH2_USER})

# Field parameters and expansions by the kind of object an endpoint returns.
TWEET_PARAMS = ("tweet.fields", "user.fields", "media.fields", "place.fields", "poll.fields")
USER_PARAMS = ("user.fields", "tweet.fields")
LIST_PARAMS = ("list.fields", "user.fields")
SPACE_PARAMS = ("space.fields", "user.fields", "topic.fields")
DM_PARAMS = ("dm_event.fields", "media.fields", "user.fields", "tweet.fields")

# The parameters that bound a collection's window, in the order provenance lists them.
WINDOW_PARAMS = ("start_time", "end_time", "since_id", "until_id")
TIME_WINDOW = frozenset(WINDOW_PARAMS)
_PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The facts of one endpoint. Pure data: no behaviour beyond derived properties."""

    name: str
    method_name: str  # the tweepy AsyncClient method this endpoint serves ("" for none)
    method: str  # GET, POST, PUT, DELETE
    path: str  # template with {placeholders}, exactly as in the spec
    result: Result
    auth: frozenset[AuthKind]
    limit_app: int | None  # requests per 15-minute window with app auth (None: not allowed)
    limit_user: int | None  # requests per 15-minute window per user
    page_token: str | None = None  # query parameter that carries the next page's token
    page_size: tuple[int, int] | None = None  # max_results bounds (min, max)
    api_default_page_size: int | None = None  # what the API uses when max_results is absent
    field_params: tuple[str, ...] = ()
    expansions: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()  # other query parameters
    required: frozenset[str] = frozenset()  # query parameters that must be present
    choices: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    list_params: frozenset[str] = frozenset()  # query parameters sent as comma-joined lists
    ids_param: str | None = None  # lookups: the parameter that carries up to max_ids ids
    max_ids: int | None = None
    body: frozenset[str] = frozenset()  # top-level JSON body keys of writes
    me: str | None = None  # path parameter filled with the authenticating user's id
    min_interval: float = 0.0  # seconds between requests beyond the window limit
    max_query_length: int | None = None
    reach: int | None = None  # only this many most recent items can be paged to
    lookback: float | None = None  # start_time may reach back this many seconds, no further
    end_margin: float = 0.0  # end_time must be at least this many seconds before the request
    single: bool = False  # data is one object, not a list
    in_spec: bool = True  # False: gone from the current spec, kept for tweepy parity
    note: str = ""

    @property
    def path_params(self) -> tuple[str, ...]:
        """Names of the ``{placeholders}`` in the path template, in order."""
        return tuple(_PATH_PARAM.findall(self.path))

    @property
    def bucket(self) -> str:
        """The rate-limit bucket: X counts limits per method and path template."""
        return f"{self.method} {self.path}"

    @property
    def paginated(self) -> bool:
        return self.page_token is not None

    @property
    def default_page_size(self) -> int | None:
        """Our default max_results: the largest page, so collections spend the fewest requests."""
        return None if self.page_size is None else self.page_size[1]

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    def limit_for(self, auth: AuthKind) -> int | None:
        """Documented requests per window for this kind of credentials."""
        return self.limit_app if auth is AuthKind.APP else self.limit_user

    @property
    def query_params(self) -> frozenset[str]:
        """Every query parameter name this endpoint accepts."""
        names = set(self.params) | set(self.field_params)
        if self.expansions:
            names.add("expansions")
        if self.page_token:
            names.add(self.page_token)
        if self.page_size:
            names.add("max_results")
        if self.ids_param:
            names.add(self.ids_param)
        return frozenset(names)


def _choices(**kw: tuple[str, ...]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({k: frozenset(v) for k, v in kw.items()})


# What every read of a kind shares: its field parameters and expansions (and, for lists, the
# page size X uses when max_results is absent).
_READ_KINDS: dict[Result, tuple[tuple[str, ...], frozenset[str], int | None]] = {
    Result.TWEETS: (TWEET_PARAMS, TWEET_EXPANSIONS, None),
    Result.USERS: (USER_PARAMS, USER_EXPANSIONS, None),
    Result.LISTS: (LIST_PARAMS, LIST_EXPANSIONS, 100),
}


def _read(
    result: Result,
    name: str,
    path: str,
    *,
    method_name: str | None = None,
    auth: frozenset[AuthKind] = ANY_AUTH,
    limit_app: int | None,
    limit_user: int | None,
    page_token: str | None = "pagination_token",
    page_size: tuple[int, int] | None = None,
    api_default_page_size: int | None = None,
    choices: Mapping[str, frozenset[str]] | None = None,
    **kw: object,
) -> Endpoint:
    """A GET endpoint returning ``result`` objects; paginated when it has a page size."""
    field_params, expansions, default_page = _READ_KINDS[result]
    return Endpoint(
        name=name,
        method_name=method_name or name,
        method="GET",
        path=path,
        result=result,
        auth=auth,
        limit_app=limit_app,
        limit_user=limit_user,
        page_token=page_token if page_size else None,
        page_size=page_size,
        api_default_page_size=api_default_page_size or (default_page if page_size else None),
        field_params=field_params,
        expansions=expansions,
        choices=choices or MappingProxyType({}),
        **kw,  # type: ignore[arg-type]
    )


_tweets = partial(_read, Result.TWEETS)
_users = partial(_read, Result.USERS)
_lists = partial(_read, Result.LISTS)


def _write(
    name: str,
    method: str,
    path: str,
    *,
    limit_user: int,
    body: tuple[str, ...] = (),
    me: str | None = None,
    auth: frozenset[AuthKind] = USER_AUTH,
    method_name: str | None = None,
    **kw: object,
) -> Endpoint:
    return Endpoint(
        name=name,
        method_name=method_name or name,
        method=method,
        path=path,
        result=Result.ACTION,
        auth=auth,
        limit_app=None,
        limit_user=limit_user,
        body=frozenset(body),
        me=me,
        single=True,
        **kw,  # type: ignore[arg-type]
    )


# The recent endpoints (search and counts) reach back 7 days, measured on X's clock when the
# request arrives; every search and counts endpoint wants end_time at least 10 s in the past
# (X's 400s: "'start_time' must be on or after ...", "'end_time' must be a minimum of 10
# seconds prior to the request time").
RECENT_LOOKBACK = 7 * 86_400.0
END_MARGIN = 10.0
_SEARCH_PARAMS = frozenset({"query", "sort_order"}) | TIME_WINDOW
_SORT = _choices(sort_order=("recency", "relevancy"))
_TIMELINE_PARAMS = TIME_WINDOW
_EXCLUDE = _choices(exclude=("replies", "retweets"))
_COUNT_PARAMS = frozenset({"query", "granularity"}) | TIME_WINDOW
_GRANULARITY = _choices(granularity=("minute", "hour", "day"))
_EVENT_TYPES = _choices(event_types=("MessageCreate", "ParticipantsJoin", "ParticipantsLeave"))

_TABLE: tuple[Endpoint, ...] = (
    # --- Bookmarks (OAuth 2.0 user context only) ---
    _tweets(
        "get_bookmarks", "/2/users/{id}/bookmarks", auth=OAUTH2_ONLY, limit_app=None,
        limit_user=180, page_size=(1, 100), me="id", reach=800,
    ),
    _write("bookmark", "POST", "/2/users/{id}/bookmarks", limit_user=50, body=("tweet_id",),
           me="id", auth=OAUTH2_ONLY),
    _write("remove_bookmark", "DELETE", "/2/users/{id}/bookmarks/{tweet_id}", limit_user=50,
           me="id", auth=OAUTH2_ONLY),
    # --- Hide replies ---
    _write("hide_reply", "PUT", "/2/tweets/{tweet_id}/hidden", limit_user=50, body=("hidden",),
           note="unhide_reply sends the same request with hidden=false"),
    # --- Likes ---
    _users(
        "get_liking_users", "/2/tweets/{id}/liking_users", auth=USER_AUTH, limit_app=None,
        limit_user=75, page_size=(1, 100), api_default_page_size=100,
        note="the 2.166 spec lists user auth only; 2021-22 recordings show app tokens accepted",
    ),
    _tweets(
        "get_liked_tweets", "/2/users/{id}/liked_tweets", auth=USER_AUTH, limit_app=None,
        limit_user=75, page_size=(5, 100),
    ),
    _write("like", "POST", "/2/users/{id}/likes", limit_user=50, body=("tweet_id",), me="id"),
    _write("unlike", "DELETE", "/2/users/{id}/likes/{tweet_id}", limit_user=50, me="id"),
    # --- Manage posts ---
    _write(
        "create_tweet", "POST", "/2/tweets", limit_user=200,
        body=("text", "direct_message_deep_link", "for_super_followers_only", "geo", "media",
              "poll", "quote_tweet_id", "reply", "reply_settings"),
    ),
    _write("delete_tweet", "DELETE", "/2/tweets/{id}", limit_user=50),
    # --- Quote posts ---
    _tweets(
        "get_quote_tweets", "/2/tweets/{id}/quote_tweets", limit_app=75, limit_user=75,
        page_size=(10, 100), api_default_page_size=10, params=frozenset({"exclude"}),
        choices=_EXCLUDE, list_params=frozenset({"exclude"}),
    ),
    # --- Retweets ---
    _users(
        "get_retweeters", "/2/tweets/{id}/retweeted_by", limit_app=75, limit_user=75,
        page_size=(1, 100), api_default_page_size=100,
    ),
    _write("retweet", "POST", "/2/users/{id}/retweets", limit_user=50, body=("tweet_id",),
           me="id"),
    _write("unretweet", "DELETE", "/2/users/{id}/retweets/{source_tweet_id}", limit_user=50,
           me="id"),
    # --- Search ---
    _tweets(
        "search_all_tweets", "/2/tweets/search/all", auth=APP_ONLY, limit_app=300,
        limit_user=None, page_token="next_token", page_size=(10, 500),
        api_default_page_size=10, params=_SEARCH_PARAMS, required=frozenset({"query"}),
        choices=_SORT, min_interval=1.0, max_query_length=1024, end_margin=END_MARGIN,
        note="max_results is capped at 100 when context_annotations is requested",
    ),
    _tweets(
        "search_recent_tweets", "/2/tweets/search/recent", limit_app=450, limit_user=300,
        page_token="next_token", page_size=(10, 100), api_default_page_size=10,
        params=_SEARCH_PARAMS, required=frozenset({"query"}), choices=_SORT,
        max_query_length=512, lookback=RECENT_LOOKBACK, end_margin=END_MARGIN,
    ),
    # --- Timelines ---
    _tweets(
        "get_users_mentions", "/2/users/{id}/mentions", limit_app=450, limit_user=300,
        page_size=(5, 100), api_default_page_size=10, params=_TIMELINE_PARAMS, reach=800,
    ),
    _tweets(
        "get_home_timeline", "/2/users/{id}/timelines/reverse_chronological", auth=USER_AUTH,
        limit_app=None, limit_user=180, page_size=(1, 100), api_default_page_size=100,
        params=_TIMELINE_PARAMS | {"exclude"}, choices=_EXCLUDE,
        list_params=frozenset({"exclude"}), me="id", reach=800,
    ),
    _tweets(
        "get_users_tweets", "/2/users/{id}/tweets", limit_app=1500, limit_user=900,
        page_size=(5, 100), api_default_page_size=10, params=_TIMELINE_PARAMS | {"exclude"},
        choices=_EXCLUDE, list_params=frozenset({"exclude"}), reach=3200,
        note="800 most recent with exclude=replies",
    ),
    # --- Counts ---
    Endpoint(
        name="get_all_tweets_count", method_name="get_all_tweets_count", method="GET",
        path="/2/tweets/counts/all", result=Result.COUNTS, auth=APP_ONLY, limit_app=300,
        limit_user=None, page_token="next_token", params=_COUNT_PARAMS,
        required=frozenset({"query"}), choices=_GRANULARITY, max_query_length=1024,
        end_margin=END_MARGIN, note="pages in 31-day chunks",
    ),
    Endpoint(
        name="get_recent_tweets_count", method_name="get_recent_tweets_count", method="GET",
        path="/2/tweets/counts/recent", result=Result.COUNTS, auth=APP_ONLY, limit_app=300,
        limit_user=None, params=_COUNT_PARAMS, required=frozenset({"query"}),
        choices=_GRANULARITY, max_query_length=512, lookback=RECENT_LOOKBACK,
        end_margin=END_MARGIN, note="the last 7 days in one response",
    ),
    # --- Post lookup ---
    _tweets("get_tweet", "/2/tweets/{id}", limit_app=300, limit_user=900, single=True),
    _tweets(
        "get_tweets", "/2/tweets", limit_app=300, limit_user=900, ids_param="ids", max_ids=100,
        required=frozenset({"ids"}),
    ),
    # --- Blocks (the writes left the public spec; tweepy still sends them) ---
    _users(
        "get_blocked", "/2/users/{id}/blocking", auth=USER_AUTH, limit_app=None, limit_user=15,
        page_size=(1, 1000), me="id",
    ),
    _write("block", "POST", "/2/users/{id}/blocking", limit_user=50,
           body=("target_user_id",), me="id", in_spec=False),
    _write("unblock", "DELETE", "/2/users/{source_user_id}/blocking/{target_user_id}",
           limit_user=50, me="source_user_id", in_spec=False),
    # --- Follows ---
    _users(
        "get_users_followers", "/2/users/{id}/followers", limit_app=15, limit_user=15,
        page_size=(1, 1000), api_default_page_size=100,
        note="real headers say 15 requests per window; the docs say 300",
    ),
    _users(
        "get_users_following", "/2/users/{id}/following", limit_app=15, limit_user=15,
        page_size=(1, 1000), api_default_page_size=100,
    ),
    _write("follow_user", "POST", "/2/users/{id}/following", limit_user=50,
           body=("target_user_id",), me="id"),
    _write("unfollow_user", "DELETE", "/2/users/{source_user_id}/following/{target_user_id}",
           limit_user=50, me="source_user_id"),
    # --- Mutes ---
    _users(
        "get_muted", "/2/users/{id}/muting", auth=USER_AUTH, limit_app=None, limit_user=15,
        page_size=(1, 1000), api_default_page_size=100, me="id",
    ),
    _write("mute", "POST", "/2/users/{id}/muting", limit_user=50, body=("target_user_id",),
           me="id"),
    _write("unmute", "DELETE", "/2/users/{source_user_id}/muting/{target_user_id}",
           limit_user=50, me="source_user_id"),
    # --- User lookup ---
    _users("get_user", "/2/users/{id}", limit_app=300, limit_user=900, single=True),
    _users(
        "get_user_by_username", "/2/users/by/username/{username}", method_name="get_user",
        limit_app=300, limit_user=900, single=True,
    ),
    _users(
        "get_users", "/2/users", limit_app=300, limit_user=900, ids_param="ids", max_ids=100,
        required=frozenset({"ids"}),
    ),
    _users(
        "get_users_by_usernames", "/2/users/by", method_name="get_users", limit_app=300,
        limit_user=900, ids_param="usernames", max_ids=100, required=frozenset({"usernames"}),
    ),
    _users("get_me", "/2/users/me", auth=USER_AUTH, limit_app=None, limit_user=75, single=True),
    # --- Spaces ---
    Endpoint(
        name="search_spaces", method_name="search_spaces", method="GET",
        path="/2/spaces/search", result=Result.SPACES, auth=APP_OR_OAUTH2, limit_app=300,
        limit_user=300, page_size=(1, 100), api_default_page_size=100,
        field_params=SPACE_PARAMS, expansions=SPACE_EXPANSIONS,
        params=frozenset({"query", "state"}), required=frozenset({"query"}),
        choices=_choices(state=("live", "scheduled", "all")),
        note="one page only: the endpoint takes max_results but returns no next_token",
    ),
    Endpoint(
        name="get_spaces", method_name="get_spaces", method="GET", path="/2/spaces",
        result=Result.SPACES, auth=APP_OR_OAUTH2, limit_app=300, limit_user=300,
        field_params=SPACE_PARAMS, expansions=SPACE_EXPANSIONS, ids_param="ids", max_ids=100,
        required=frozenset({"ids"}),
    ),
    Endpoint(
        name="get_spaces_by_creator_ids", method_name="get_spaces", method="GET",
        path="/2/spaces/by/creator_ids", result=Result.SPACES, auth=APP_OR_OAUTH2,
        limit_app=300, limit_user=300, field_params=SPACE_PARAMS, expansions=SPACE_EXPANSIONS,
        ids_param="user_ids", max_ids=100, required=frozenset({"user_ids"}),
    ),
    Endpoint(
        name="get_space", method_name="get_space", method="GET", path="/2/spaces/{id}",
        result=Result.SPACES, auth=APP_OR_OAUTH2, limit_app=300, limit_user=300,
        field_params=SPACE_PARAMS, expansions=SPACE_EXPANSIONS, single=True,
    ),
    _users(
        "get_space_buyers", "/2/spaces/{id}/buyers", auth=OAUTH2_ONLY, limit_app=None,
        limit_user=300, page_size=(1, 100), api_default_page_size=100,
    ),
    _tweets(
        "get_space_tweets", "/2/spaces/{id}/tweets", auth=APP_OR_OAUTH2, limit_app=300,
        limit_user=300, page_token=None, page_size=(1, 100), api_default_page_size=100,
    ),
    # --- Direct messages ---
    *(
        Endpoint(
            name=name, method_name="get_direct_message_events", method="GET", path=path,
            result=Result.DM_EVENTS, auth=USER_AUTH, limit_app=None, limit_user=300,
            page_token="pagination_token", page_size=(1, 100), api_default_page_size=100,
            field_params=DM_PARAMS, expansions=DM_EVENT_EXPANSIONS,
            params=frozenset({"event_types"}), choices=_EVENT_TYPES,
            list_params=frozenset({"event_types"}),
        )
        for name, path in (
            ("get_direct_message_events", "/2/dm_events"),
            ("get_dm_events_with_participant",
             "/2/dm_conversations/with/{participant_id}/dm_events"),
            ("get_dm_events_in_conversation", "/2/dm_conversations/{id}/dm_events"),
        )
    ),
    _write(
        "create_direct_message", "POST", "/2/dm_conversations/{dm_conversation_id}/messages",
        limit_user=200, body=("text", "attachments"),
    ),
    _write(
        "create_direct_message_with_participant", "POST",
        "/2/dm_conversations/with/{participant_id}/messages",
        method_name="create_direct_message", limit_user=200, body=("text", "attachments"),
    ),
    _write(
        "create_direct_message_conversation", "POST", "/2/dm_conversations", limit_user=200,
        body=("conversation_type", "message", "participant_ids"),
    ),
    # --- Lists ---
    _tweets(
        "get_list_tweets", "/2/lists/{id}/tweets", limit_app=900, limit_user=900,
        page_size=(1, 100), api_default_page_size=100, reach=800,
    ),
    _users(
        "get_list_followers", "/2/lists/{id}/followers", limit_app=180, limit_user=180,
        page_size=(1, 100), api_default_page_size=100,
    ),
    _lists("get_followed_lists", "/2/users/{id}/followed_lists", limit_app=15, limit_user=15,
           page_size=(1, 100)),
    _write("follow_list", "POST", "/2/users/{id}/followed_lists", limit_user=50,
           body=("list_id",), me="id"),
    _write("unfollow_list", "DELETE", "/2/users/{id}/followed_lists/{list_id}", limit_user=50,
           me="id"),
    _lists("get_list", "/2/lists/{id}", limit_app=75, limit_user=75, single=True),
    _lists("get_owned_lists", "/2/users/{id}/owned_lists", limit_app=15, limit_user=15,
           page_size=(1, 100)),
    _users(
        "get_list_members", "/2/lists/{id}/members", limit_app=900, limit_user=900,
        page_size=(1, 100), api_default_page_size=100,
    ),
    _lists("get_list_memberships", "/2/users/{id}/list_memberships", limit_app=75,
           limit_user=75, page_size=(1, 100)),
    _write("add_list_member", "POST", "/2/lists/{id}/members", limit_user=300,
           body=("user_id",)),
    _write("remove_list_member", "DELETE", "/2/lists/{id}/members/{user_id}", limit_user=300),
    _write("create_list", "POST", "/2/lists", limit_user=300,
           body=("name", "description", "private")),
    _write("update_list", "PUT", "/2/lists/{id}", limit_user=300,
           body=("name", "description", "private")),
    _write("delete_list", "DELETE", "/2/lists/{id}", limit_user=300),
    _lists("get_pinned_lists", "/2/users/{id}/pinned_lists", auth=USER_AUTH, limit_app=None,
           limit_user=15, me="id"),
    _write("pin_list", "POST", "/2/users/{id}/pinned_lists", limit_user=50, body=("list_id",),
           me="id"),
    _write("unpin_list", "DELETE", "/2/users/{id}/pinned_lists/{list_id}", limit_user=50,
           me="id"),
    # --- Batch compliance (app auth only) ---
    Endpoint(
        name="get_compliance_jobs", method_name="get_compliance_jobs", method="GET",
        path="/2/compliance/jobs", result=Result.COMPLIANCE_JOBS, auth=APP_ONLY,
        limit_app=150, limit_user=None, field_params=("compliance_job.fields",),
        params=frozenset({"type", "status"}), required=frozenset({"type"}),
        choices=_choices(type=("tweets", "users"),
                         status=("created", "in_progress", "failed", "complete")),
    ),
    Endpoint(
        name="get_compliance_job", method_name="get_compliance_job", method="GET",
        path="/2/compliance/jobs/{id}", result=Result.COMPLIANCE_JOBS, auth=APP_ONLY,
        limit_app=150, limit_user=None, field_params=("compliance_job.fields",), single=True,
    ),
    Endpoint(
        name="create_compliance_job", method_name="create_compliance_job", method="POST",
        path="/2/compliance/jobs", result=Result.COMPLIANCE_JOBS, auth=APP_ONLY,
        limit_app=150, limit_user=None, body=frozenset({"type", "name", "resumable"}),
        single=True,
    ),
    # --- Usage (pay-per-use; not a tweepy method) ---
    Endpoint(
        name="get_usage", method_name="", method="GET", path="/2/usage/tweets",
        result=Result.USAGE, auth=APP_ONLY, limit_app=50, limit_user=None,
        field_params=("usage.fields",), params=frozenset({"days"}), single=True,
        note="post reads this month against the cap; days 1-90",
    ),
    # --- Filtered stream (tweepy's StreamingClient.filter, not AsyncClient) ---
    replace(_tweets(
        "search_stream", "/2/tweets/search/stream", auth=APP_ONLY, limit_app=50, limit_user=None,
        params=frozenset({"backfill_minutes", "start_time", "end_time"}), single=True,
        note="one connection that stays open: a post per line as it matches the app's rules, "
        "a newline every 20 s when none does; 50 connection attempts per 15 minutes",
    ), method_name=""),
    replace(_tweets(
        "sample_stream", "/2/tweets/sample/stream", auth=APP_ONLY, limit_app=50,
        limit_user=None, params=frozenset({"backfill_minutes"}), single=True,
        note="a 1% sample of all posts as they are posted, on one connection that stays open",
    ), method_name=""),
    # --- Filtered stream rules (tweepy's StreamingClient, not AsyncClient) ---
    Endpoint(
        name="get_rules", method_name="", method="GET", path="/2/tweets/search/stream/rules",
        result=Result.RULES, auth=APP_ONLY, limit_app=450, limit_user=None,
        page_token="pagination_token", page_size=(1, 1000), params=frozenset({"ids"}),
        list_params=frozenset({"ids"}), note="the app's rules; free (no resource is read)",
    ),
    Endpoint(
        name="update_rules", method_name="", method="POST", path="/2/tweets/search/stream/rules",
        result=Result.RULES, auth=APP_ONLY, limit_app=450, limit_user=None,
        params=frozenset({"dry_run", "delete_all"}), body=frozenset({"add", "delete"}),
        note="add or delete rules (a body holds one of them); dry_run validates only",
    ),
)  # fmt: skip

ENDPOINTS: Mapping[str, Endpoint] = MappingProxyType({e.name: e for e in _TABLE})
if len(ENDPOINTS) != len(_TABLE):  # pragma: no cover - guards edits of the table
    raise RuntimeError("duplicate endpoint names in twxdata.endpoints")

# tweepy AsyncClient methods whose request is another method's endpoint with a fixed body.
METHOD_ALIASES: Mapping[str, str] = MappingProxyType(
    {"unhide_reply": "hide_reply", "get_dm_events": "get_direct_message_events",
     "create_dm": "create_direct_message",
     "create_dm_conversation": "create_direct_message_conversation"}
)  # fmt: skip


def get_endpoint(name: str) -> Endpoint:
    """Return the endpoint called ``name``, or raise ``KeyError`` listing close names.

    >>> get_endpoint("get_users_followers").page_size
    (1, 1000)
    """
    try:
        return ENDPOINTS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, ENDPOINTS, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"unknown endpoint {name!r}{hint}") from None


def by_route(method: str, path: str) -> Endpoint | None:
    """Find the endpoint whose template matches a concrete ``method`` and ``path``.

    >>> by_route("GET", "/2/users/12/followers").name
    'get_users_followers'
    """
    for e, pattern in _ROUTES:
        if e.method == method.upper() and pattern.fullmatch(path):
            return e
    return None


def _route_regex(path: str) -> re.Pattern[str]:
    literal_parts = _PATH_PARAM.split(path)[::2]
    return re.compile("[^/]+".join(re.escape(part) for part in literal_parts))


# Literal segments first, so /2/users/by and /2/users/me win over /2/users/{id}.
_ROUTES = tuple(
    (e, _route_regex(e.path))
    for e in sorted(_TABLE, key=lambda e: (e.path.count("{"), -len(e.path)))
)
