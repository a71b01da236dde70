"""Field and expansion vocabularies of X API v2 (spec version 2.166), and research defaults.

Each ``*_FIELDS`` set is the enum of the matching ``*FieldsParameter`` in the official OpenAPI
spec; ``tests/test_endpoints_spec.py`` checks them against ``../shared/x-api/openapi.json`` so a
new spec version shows up as a failing test, not as silently rejected parameters.

The ``RESEARCH_*`` tuples are what twxdata asks for when the caller does not say: every field
that is public (no ``non_public_metrics`` and friends, which need the author's own token and
make the whole request fail otherwise) and every expansion whose objects the tables join.
"""

from __future__ import annotations

TWEET_FIELDS = frozenset(
    {
        "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
        "conversation_id", "created_at", "display_text_range", "edit_controls",
        "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
        "matched_media_notes", "media_metadata", "non_public_metrics", "note_request_suggestions",
        "note_tweet", "organic_metrics", "paid_partnership", "possibly_sensitive",
        "promoted_metrics", "public_metrics", "referenced_tweets", "reply_settings", "scopes",
        "source", "suggested_source_links", "suggested_source_links_with_counts", "text",
        "withheld",
    }
)  # fmt: skip
USER_FIELDS = frozenset(
    {
        "affiliation", "confirmed_email", "connection_status", "created_at", "description",
        "entities", "id", "is_identity_verified", "location", "most_recent_tweet_id", "name",
        "parody", "pinned_tweet_id", "profile_banner_url", "profile_image_url", "protected",
        "public_metrics", "receives_your_dm", "subscription", "subscription_type", "url",
        "username", "verified", "verified_followers_count", "verified_type", "withheld",
    }
)  # fmt: skip
MEDIA_FIELDS = frozenset(
    {
        "alt_text", "duration_ms", "height", "media_key", "non_public_metrics", "organic_metrics",
        "preview_image_url", "promoted_metrics", "public_metrics", "type", "url", "variants",
        "width",
    }
)  # fmt: skip
PLACE_FIELDS = frozenset(
    {"contained_within", "country", "country_code", "full_name", "geo", "id", "name", "place_type"}
)
POLL_FIELDS = frozenset({"duration_minutes", "end_datetime", "id", "options", "voting_status"})
LIST_FIELDS = frozenset(
    {"created_at", "description", "follower_count", "id", "member_count", "name", "owner_id",
     "private"}
)  # fmt: skip
SPACE_FIELDS = frozenset(
    {
        "created_at", "creator_id", "ended_at", "host_ids", "id", "invited_user_ids",
        "is_ticketed", "lang", "participant_count", "scheduled_start", "speaker_ids",
        "started_at", "state", "subscriber_count", "title", "topic_ids", "updated_at",
    }
)  # fmt: skip
TOPIC_FIELDS = frozenset({"description", "id", "name"})
DM_EVENT_FIELDS = frozenset(
    {
        "attachments", "created_at", "dm_conversation_id", "entities", "event_type", "id",
        "participant_ids", "referenced_tweets", "sender_id", "text",
    }
)  # fmt: skip
COMPLIANCE_JOB_FIELDS = frozenset(
    {
        "created_at", "download_expires_at", "download_url", "id", "name", "resumable", "status",
        "type", "upload_expires_at", "upload_url",
    }
)  # fmt: skip

TWEET_EXPANSIONS = frozenset(
    {
        "article.cover_media", "article.media_entities", "attachments.media_keys",
        "attachments.media_source_tweet", "attachments.poll_ids", "author_id",
        "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id",
        "in_reply_to_user_id", "entities.note.mentions.username", "referenced_tweets.id",
        "referenced_tweets.id.attachments.media_keys", "referenced_tweets.id.author_id",
    }
)  # fmt: skip
USER_EXPANSIONS = frozenset({"affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"})
LIST_EXPANSIONS = frozenset({"owner_id"})
SPACE_EXPANSIONS = frozenset(
    {"creator_id", "host_ids", "invited_user_ids", "speaker_ids", "topic_ids"}
)
DM_EVENT_EXPANSIONS = frozenset(
    {"attachments.media_keys", "participant_ids", "referenced_tweets.id", "sender_id"}
)

# Fields that need the post author's own user-context token: asking for them with an app token
# fails the whole request, so research defaults leave them out.
PRIVATE_TWEET_FIELDS = frozenset(
    {"non_public_metrics", "organic_metrics", "promoted_metrics", "scopes",
     "note_request_suggestions", "matched_media_notes", "suggested_source_links",
     "suggested_source_links_with_counts"}
)  # fmt: skip
PRIVATE_USER_FIELDS = frozenset(
    {"confirmed_email", "connection_status", "receives_your_dm", "subscription",
     "is_identity_verified", "verified_followers_count"}
)  # fmt: skip
PRIVATE_MEDIA_FIELDS = frozenset({"non_public_metrics", "organic_metrics", "promoted_metrics"})

RESEARCH_TWEET_FIELDS = (
    "attachments", "author_id", "context_annotations", "conversation_id", "created_at",
    "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id",
    "lang", "note_tweet", "possibly_sensitive", "public_metrics", "referenced_tweets",
    "reply_settings", "source", "text", "withheld",
)  # fmt: skip
RESEARCH_USER_FIELDS = (
    "created_at", "description", "entities", "id", "location", "most_recent_tweet_id", "name",
    "pinned_tweet_id", "profile_image_url", "protected", "public_metrics", "url", "username",
    "verified", "verified_type", "withheld",
)  # fmt: skip
RESEARCH_MEDIA_FIELDS = (
    "alt_text", "duration_ms", "height", "media_key", "preview_image_url", "public_metrics",
    "type", "url", "variants", "width",
)  # fmt: skip
RESEARCH_PLACE_FIELDS = tuple(sorted(PLACE_FIELDS))
RESEARCH_POLL_FIELDS = tuple(sorted(POLL_FIELDS))
RESEARCH_LIST_FIELDS = tuple(sorted(LIST_FIELDS))
RESEARCH_TWEET_EXPANSIONS = (
    "attachments.media_keys", "attachments.poll_ids", "author_id", "edit_history_tweet_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys", "referenced_tweets.id.author_id",
)  # fmt: skip
RESEARCH_USER_EXPANSIONS = ("pinned_tweet_id",)

# GET /2/usage/tweets (pay-per-use post reads against the monthly cap).
USAGE_FIELDS = frozenset(
    {"cap_reset_day", "daily_client_app_usage", "daily_project_usage", "project_cap",
     "project_id", "project_usage"}
)  # fmt: skip

# Query parameter name -> the values it accepts: the one answer to "which fields may
# tweet.fields take", used by the endpoint table, validation and the fake API.
FIELD_PARAMS: dict[str, frozenset[str]] = {
    "tweet.fields": TWEET_FIELDS,
    "user.fields": USER_FIELDS,
    "media.fields": MEDIA_FIELDS,
    "place.fields": PLACE_FIELDS,
    "poll.fields": POLL_FIELDS,
    "list.fields": LIST_FIELDS,
    "space.fields": SPACE_FIELDS,
    "topic.fields": TOPIC_FIELDS,
    "dm_event.fields": DM_EVENT_FIELDS,
    "compliance_job.fields": COMPLIANCE_JOB_FIELDS,
    "usage.fields": USAGE_FIELDS,
}


def research_params(result: str = "tweets") -> dict[str, tuple[str, ...]]:
    """The field and expansion parameters twxdata sends by default for a kind of result.

    >>> sorted(research_params("users"))
    ['expansions', 'tweet.fields', 'user.fields']
    """
    if result == "users":
        return {
            "user.fields": RESEARCH_USER_FIELDS,
            "tweet.fields": RESEARCH_TWEET_FIELDS,
            "expansions": RESEARCH_USER_EXPANSIONS,
        }
    if result == "lists":
        return {"list.fields": RESEARCH_LIST_FIELDS, "user.fields": RESEARCH_USER_FIELDS,
                "expansions": ("owner_id",)}  # fmt: skip
    if result != "tweets":
        raise ValueError(f"no research defaults for {result!r}")
    return {
        "tweet.fields": RESEARCH_TWEET_FIELDS,
        "user.fields": RESEARCH_USER_FIELDS,
        "media.fields": RESEARCH_MEDIA_FIELDS,
        "place.fields": RESEARCH_PLACE_FIELDS,
        "poll.fields": RESEARCH_POLL_FIELDS,
        "expansions": RESEARCH_TWEET_EXPANSIONS,
    }
