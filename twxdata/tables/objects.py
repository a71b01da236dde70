"""The X API v2 objects as nested Arrow types, documented field by field.

These are the shapes the API sends (spec 2.166 plus fields seen in real traffic): the JSON
reader parses responses against them, so every known field arrives typed — IDs as strings
(never numbers), counts as ``int64``, times as UTC timestamps, booleans as ``bool``, arrays as
Arrow lists and objects as structs. The flat tables in :mod:`twxdata.tables.schema` are derived
from them: objects become dotted columns (``public_metrics.like_count``), arrays stay lists.

Each field carries its description in the field metadata under ``doc``.

>>> TWEET.field("public_metrics").type.field("like_count").type
DataType(int64)
>>> doc(USER.field("username"))
'The handle, without the @.'
"""

from __future__ import annotations

import pyarrow as pa

ID = pa.string()
STR = pa.string()
I64 = pa.int64()
F64 = pa.float64()
BOOL = pa.bool_()
TS = pa.timestamp("us", tz="UTC")

EXTRA_KEY = "__extra"
"""Name of the overflow field: fields the schema does not know, as ``{dotted path: JSON}``."""

# Written by the sanitiser of the slow path (see canonical.py): one entry per value it moved
# out of an object because the schema does not know it or it had the wrong JSON type.
EXTRA_ENTRIES = pa.list_(pa.struct([("key", STR), ("value", STR)]))


def F(name: str, type_: pa.DataType, doc: str) -> pa.Field:
    """A nullable field with its description in the metadata."""
    return pa.field(name, type_, nullable=True, metadata={"doc": doc})


def S(*fields: pa.Field) -> pa.StructType:
    return pa.struct(list(fields))


def L(type_: pa.DataType) -> pa.ListType:
    return pa.list_(type_)


def doc(field: pa.Field) -> str:
    """The description of a field (empty when it has none)."""
    meta = field.metadata or {}
    return str(meta.get(b"doc", b"").decode())


def with_extra(struct: pa.StructType) -> pa.StructType:
    """``struct`` plus the hidden ``__extra`` entries field the slow path fills."""
    return pa.struct([*struct, pa.field(EXTRA_KEY, EXTRA_ENTRIES)])


# --- pieces shared by several objects -----------------------------------------------------

IMAGE = S(
    F("url", STR, "Image URL."),
    F("width", I64, "Width in pixels."),
    F("height", I64, "Height in pixels."),
)
URL_ENTITY = S(
    F("start", I64, "Start of the URL in the text (code points, inclusive)."),
    F("end", I64, "End of the URL in the text (code points, exclusive)."),
    F("url", STR, "The t.co URL as it appears in the text."),
    F("expanded_url", STR, "The full URL the t.co link points to."),
    F("display_url", STR, "The URL as displayed (shortened, without scheme)."),
    F("media_key", STR, "Set when the URL is the link to attached media."),
    F("status", I64, "HTTP status of the unwound URL."),
    F("title", STR, "Title of the linked page."),
    F("description", STR, "Description of the linked page."),
    F("unwound_url", STR, "Final URL after following redirects."),
    F("images", L(IMAGE), "Preview images of the linked page."),
)
TAG = S(
    F("start", I64, "Start offset in the text."),
    F("end", I64, "End offset in the text."),
    F("tag", STR, "The tag without the # or $."),
)
MENTION = S(
    F("start", I64, "Start offset in the text."),
    F("end", I64, "End offset in the text."),
    F("username", STR, "Mentioned handle, without the @."),
    F("id", ID, "Mentioned user's id (sent by newer API versions)."),
)
ANNOTATION = S(
    F("start", I64, "Start offset in the text."),
    F("end", I64, "End offset in the text."),
    F("probability", F64, "Confidence of the named-entity recognition."),
    F("type", STR, "Entity type: Person, Place, Product, Organization, Other."),
    F("normalized_text", STR, "The recognised entity's text."),
)
TEXT_ENTITIES = S(
    F("annotations", L(ANNOTATION), "Named entities recognised in the text."),
    F("cashtags", L(TAG), "$cashtags in the text."),
    F("hashtags", L(TAG), "#hashtags in the text."),
    F("mentions", L(MENTION), "@mentions in the text."),
    F("urls", L(URL_ENTITY), "URLs in the text."),
)
CONTEXT_PART = S(
    F("id", ID, "Id of the domain or entity."),
    F("name", STR, "Name of the domain or entity."),
    F("description", STR, "Description of the domain or entity."),
)
CONTEXT_ANNOTATION = S(
    F("domain", CONTEXT_PART, "The topic domain (e.g. 'Person')."),
    F("entity", CONTEXT_PART, "The entity within the domain (e.g. 'Barack Obama')."),
)
WITHHELD = S(
    F("scope", STR, "'tweet' or 'user': what is withheld."),
    F("copyright", BOOL, "Withheld because of a DMCA complaint."),
    F("country_codes", L(STR), "Countries where it is withheld (ISO 3166-1 alpha-2)."),
)
TWEET_METRICS_PRIVATE = S(
    F("impression_count", I64, "Times the post was seen."),
    F("like_count", I64, "Likes."),
    F("reply_count", I64, "Replies."),
    F("retweet_count", I64, "Reposts."),
    F("url_link_clicks", I64, "Clicks on a URL in the post."),
    F("user_profile_clicks", I64, "Clicks on the author's profile from the post."),
)
MEDIA_METRICS_PRIVATE = S(
    F("playback_0_count", I64, "Video playbacks started."),
    F("playback_25_count", I64, "Playbacks that reached 25%."),
    F("playback_50_count", I64, "Playbacks that reached 50%."),
    F("playback_75_count", I64, "Playbacks that reached 75%."),
    F("playback_100_count", I64, "Playbacks that reached the end."),
    F("view_count", I64, "Views."),
)

# --- posts --------------------------------------------------------------------------------

TWEET = S(
    F("id", ID, "Unique post id."),
    F("conversation_id", ID, "Id of the post that started the conversation."),
    F("author_id", ID, "Id of the author."),
    F("in_reply_to_user_id", ID, "Id of the author of the post this one replies to."),
    F("created_at", TS, "When the post was created (UTC)."),
    F("text", STR, "The post's own text (a repost's is the truncated 'RT @user: ...')."),
    F("lang", STR, "Language detected by X (BCP47), 'und' if none."),
    F("source", STR, "Client app used to post (only on posts before 2023)."),
    F(
        "public_metrics",
        S(
            F("impression_count", I64, "Times the post was seen (from 2022-12)."),
            F("reply_count", I64, "Replies."),
            F("retweet_count", I64, "Reposts."),
            F("quote_count", I64, "Quote posts."),
            F("like_count", I64, "Likes."),
            F("bookmark_count", I64, "Bookmarks (from 2023)."),
        ),
        "Public engagement counts at retrieval time.",
    ),
    F("reply_settings", STR, "Who may reply: everyone, mentionedUsers, following, ..."),
    F("edit_history_tweet_ids", L(ID), "Ids of every version of the post, oldest first."),
    F(
        "edit_controls",
        S(
            F("edits_remaining", I64, "Edits still allowed."),
            F("editable_until", TS, "When the post stops being editable."),
            F("is_edit_eligible", BOOL, "Whether the post could be edited at all."),
        ),
        "Edit window of the post.",
    ),
    F("possibly_sensitive", BOOL, "Contains a link that may be sensitive."),
    F("withheld", WITHHELD, "Withholding details."),
    F("entities", TEXT_ENTITIES, "Entities parsed from the text."),
    F("context_annotations", L(CONTEXT_ANNOTATION), "Topics X associates with the post."),
    F(
        "attachments",
        S(
            F("media_keys", L(STR), "Keys of attached media (see the media table)."),
            F("poll_ids", L(ID), "Ids of attached polls (at most one)."),
            F("media_source_tweet_id", L(ID), "Posts the attached media first appeared in."),
        ),
        "What is attached to the post.",
    ),
    F(
        "geo",
        S(
            F("place_id", STR, "Id of the tagged place (see the places table)."),
            F(
                "coordinates",
                S(
                    F("type", STR, "GeoJSON type, always 'Point'."),
                    F("coordinates", L(F64), "[longitude, latitude]."),
                ),
                "Exact location, when the author shared it.",
            ),
        ),
        "Location tagged by the author.",
    ),
    F(
        "referenced_tweets",
        L(
            S(
                F("type", STR, "replied_to, quoted or retweeted."),
                F("id", ID, "Id of the referenced post."),
            )
        ),
        "Posts this one replies to, quotes or reposts.",
    ),
    F(
        "note_tweet",
        S(
            F("text", STR, "Full text of a long post (over 280 characters)."),
            F("entities", S(*list(TEXT_ENTITIES)[1:]), "Entities of the long text."),
        ),
        "Long-form text of the post.",
    ),
    F("community_id", ID, "Community the post was made in."),
    F("display_text_range", L(I64), "[start, end] of the displayed part of the text."),
    F("paid_partnership", BOOL, "Marked as a paid partnership."),
    F("scopes", S(F("followers", BOOL, "Visible to followers only.")), "Visibility scopes."),
    F("username", STR, "Author's handle (sent by some endpoints)."),
    F("non_public_metrics", TWEET_METRICS_PRIVATE, "Private counts (author's token only)."),
    F("organic_metrics", TWEET_METRICS_PRIVATE, "Organic counts (author's token only)."),
    F("promoted_metrics", TWEET_METRICS_PRIVATE, "Promoted counts (author's token only)."),
    F(
        "matched_media_notes",
        S(F("match_status", STR, "Match status."), F("note_id", ID, "Community note id.")),
        "Community note matched through the media.",
    ),
    F(
        "note_request_suggestions",
        S(
            F("source_link", URL_ENTITY, "Suggested source."),
            F("suggestion", STR, "Suggestion text."),
            F("suggestion_id", STR, "Suggestion id."),
        ),
        "Community note request suggestions (author's token only).",
    ),
    F("suggested_source_links", L(URL_ENTITY), "Suggested source links."),
    F(
        "suggested_source_links_with_counts",
        S(F("count", I64, "How often it was suggested."), F("url", URL_ENTITY, "The link.")),
        "Most suggested source link.",
    ),
)

# --- users --------------------------------------------------------------------------------

USER = S(
    F("id", ID, "Unique user id."),
    F("created_at", TS, "When the account was created (UTC)."),
    F("username", STR, "The handle, without the @."),
    F("name", STR, "Display name."),
    F("description", STR, "Profile bio."),
    F(
        "entities",
        S(
            F("description", S(*TEXT_ENTITIES), "Entities in the bio."),
            F("url", S(F("urls", L(URL_ENTITY), "The profile URL.")), "The profile URL field."),
        ),
        "Entities parsed from the profile.",
    ),
    F("location", STR, "Free-text location from the profile."),
    F("pinned_tweet_id", ID, "Id of the pinned post."),
    F("profile_image_url", STR, "Avatar URL."),
    F("protected", BOOL, "Posts are visible to approved followers only."),
    F(
        "public_metrics",
        S(
            F("followers_count", I64, "Followers."),
            F("following_count", I64, "Accounts followed."),
            F("listed_count", I64, "Lists the user is on."),
            F("tweet_count", I64, "Posts, including reposts."),
            F("like_count", I64, "Posts liked."),
        ),
        "Public counts at retrieval time.",
    ),
    F("url", STR, "The profile's URL field (t.co form)."),
    F("verified", BOOL, "Verified (legacy blue check before 2023; any check after)."),
    F("verified_type", STR, "blue, business, government or none."),
    F("withheld", WITHHELD, "Withholding details."),
    F("most_recent_tweet_id", ID, "Id of the user's latest post."),
    F("profile_banner_url", STR, "Banner image URL."),
    F("subscription_type", STR, "X Premium tier."),
    F("receives_your_dm", BOOL, "Accepts DMs from the authenticating user."),
    F("connection_status", L(STR), "Relation to the authenticating user."),
    F(
        "affiliation",
        S(
            F("badge_url", STR, "Affiliation badge."),
            F("description", STR, "Affiliation name."),
            F("url", STR, "Affiliation URL."),
            F("user_id", L(ID), "Affiliated organisation's user id."),
        ),
        "Organisation the user is affiliated with.",
    ),
)

# --- includes -----------------------------------------------------------------------------

MEDIA = S(
    F("media_key", STR, "Unique media key ('3_...' photo, '7_...' video, '16_...' GIF)."),
    F("type", STR, "photo, video or animated_gif."),
    F("url", STR, "URL of a photo."),
    F("preview_image_url", STR, "Still image of a video or GIF."),
    F("alt_text", STR, "Description written by the author."),
    F("duration_ms", I64, "Video length in milliseconds."),
    F("height", I64, "Height in pixels."),
    F("width", I64, "Width in pixels."),
    F("public_metrics", S(F("view_count", I64, "Video views.")), "Public counts."),
    F(
        "variants",
        L(
            S(
                F("bit_rate", I64, "Bit rate."),
                F("content_type", STR, "MIME type."),
                F("url", STR, "Variant URL."),
            )
        ),
        "Encodings of a video or GIF.",
    ),
    F("non_public_metrics", MEDIA_METRICS_PRIVATE, "Private counts (author's token only)."),
    F("organic_metrics", MEDIA_METRICS_PRIVATE, "Organic counts (author's token only)."),
    F("promoted_metrics", MEDIA_METRICS_PRIVATE, "Promoted counts (author's token only)."),
)
PLACE = S(
    F("id", STR, "Unique place id."),
    F("full_name", STR, "Long name, e.g. 'Berlin, Deutschland'."),
    F("name", STR, "Short name."),
    F("country", STR, "Country name."),
    F("country_code", STR, "ISO 3166-1 alpha-2 country code."),
    F("place_type", STR, "city, admin, country, neighborhood or poi."),
    F("contained_within", L(STR), "Ids of places containing this one."),
    F(
        "geo",
        S(
            F("type", STR, "GeoJSON type, 'Feature'."),
            F("bbox", L(F64), "Bounding box [west, south, east, north]."),
            F("properties", S(), "GeoJSON properties (always empty so far)."),
            F(
                "geometry",
                S(F("type", STR, "Geometry type."), F("coordinates", L(F64), "Coordinates.")),
                "GeoJSON geometry, when given.",
            ),
        ),
        "The place as a GeoJSON feature.",
    ),
)
POLL = S(
    F("id", ID, "Unique poll id."),
    F(
        "options",
        L(
            S(
                F("position", I64, "1-based position."),
                F("label", STR, "Option text."),
                F("votes", I64, "Votes for the option."),
            )
        ),
        "The options with their votes.",
    ),
    F("duration_minutes", I64, "How long the poll runs."),
    F("end_datetime", TS, "When the poll closes (UTC)."),
    F("voting_status", STR, "open or closed."),
)
TOPIC = S(
    F("id", ID, "Topic id."),
    F("name", STR, "Topic name."),
    F("description", STR, "Topic description."),
)

# --- other kinds of data ------------------------------------------------------------------

LIST = S(
    F("id", ID, "Unique list id."),
    F("owner_id", ID, "Id of the list's owner."),
    F("created_at", TS, "When the list was created (UTC)."),
    F("name", STR, "List name."),
    F("description", STR, "List description."),
    F("member_count", I64, "Members."),
    F("follower_count", I64, "Followers."),
    F("private", BOOL, "Private list."),
)
SPACE = S(
    F("id", ID, "Unique Space id."),
    F("state", STR, "live, scheduled or ended."),
    F("title", STR, "Title of the Space."),
    F("creator_id", ID, "Id of the creator."),
    F("created_at", TS, "When the Space was created."),
    F("scheduled_start", TS, "Scheduled start."),
    F("started_at", TS, "Actual start."),
    F("ended_at", TS, "End."),
    F("updated_at", TS, "Last update."),
    F("lang", STR, "Language."),
    F("is_ticketed", BOOL, "Ticketed Space."),
    F("participant_count", I64, "Participants."),
    F("subscriber_count", I64, "Subscribers to a scheduled Space."),
    F("host_ids", L(ID), "Host user ids."),
    F("speaker_ids", L(ID), "Speaker user ids."),
    F("invited_user_ids", L(ID), "Invited user ids."),
    F("topic_ids", L(ID), "Topic ids."),
)
COUNT = S(
    F("start", TS, "Start of the time bucket (UTC, inclusive)."),
    F("end", TS, "End of the time bucket (UTC, exclusive)."),
    F("tweet_count", I64, "Posts matching the query in the bucket."),
)
COMPLIANCE = S(
    F("id", ID, "Id of the post or user."),
    F("action", STR, "What to do with it: delete, ..."),
    F("created_at", TS, "When the post or user was created."),
    F("redacted_at", TS, "When it was redacted, if it was."),
    F("reason", STR, "deleted, protected, suspended, deactivated, ..."),
)
ERROR = S(
    F("title", STR, "Short name of the problem (e.g. 'Not Found Error')."),
    F("detail", STR, "Human-readable explanation."),
    F("type", STR, "Problem type URI."),
    F("resource_type", STR, "Kind of the missing resource: tweet, user, ..."),
    F("resource_id", STR, "Id of the resource the error is about."),
    F("parameter", STR, "Request parameter (or expansion) that named the resource."),
    F("value", STR, "The parameter value that failed."),
    F("section", STR, "'data' or 'includes': where the resource would have been."),
    F("message", STR, "Message of an invalid-request or legacy error."),
    F("code", I64, "Legacy v1.1 error code."),
    F("status", I64, "HTTP status of a whole-request problem."),
)
MATCHING_RULE = S(F("id", ID, "Rule id."), F("tag", STR, "Rule tag."))

# Fields that only tell which kind of object a data item is (for sniffing pages whose endpoint
# is unknown); none of them belongs to a table.
SNIFF = S(
    F("event_type", STR, "Direct-message event type."),
    F("dm_conversation_id", STR, "Direct-message conversation."),
    F("join_policy", STR, "Community join policy."),
    F("access", STR, "Community access."),
    F("upload_url", STR, "Compliance job upload URL."),
    F("download_url", STR, "Compliance job download URL."),
)
