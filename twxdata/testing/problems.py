"""Error bodies exactly as the real API writes them (taken from recorded responses).

Whole-request errors are RFC 7807 problems; partial errors ride in a 200 next to ``data``.

>>> invalid_request([param_error("bad", max_results=["5"])])["title"]
'Invalid Request'
>>> not_found("tweet", "ids", "1")["detail"]
'Could not find tweet with ids: [1].'
"""

from __future__ import annotations

from typing import Any

PROBLEMS = "https://api.twitter.com/2/problems/"
INVALID_REQUEST = PROBLEMS + "invalid-request"
RESOURCE_NOT_FOUND = PROBLEMS + "resource-not-found"
NOT_AUTHORIZED = PROBLEMS + "not-authorized-for-resource"
UNSUPPORTED_AUTH = PROBLEMS + "unsupported-authentication"

UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
TOO_MANY_REQUESTS = {
    "title": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
    "detail": "Too Many Requests",
}
# Pay-per-use (since late 2025). X writes these on api.x.com, unlike the older problems above.
# A spent balance, as seen in production (PRICING.md); retrying does not help.
CREDITS_DEPLETED = {
    "title": "Payment Required",
    "detail": "credits depleted",
    "type": "https://api.x.com/2/problems/credits-depleted",
    "status": 402,
}
# The monthly post cap (2 million posts on pay-per-use); ``period`` and ``scope`` as the spec's
# ``UsageCapExceededProblem`` and the recorded bodies of the legacy tiers have them.
USAGE_CAPPED = {
    "title": "UsageCapExceeded",
    "period": "Monthly",
    "scope": "Product",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.x.com/2/problems/usage-capped",
    "status": 429,
}
_REASONS = {
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# What nginx in front of the API sends when the service behind it is away.
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
HTML_404 = (
    b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Page not found</title></head>'
    b"<body><h1>Sorry, that page does not exist</h1></body></html>\n"
)


def generic(status: int) -> dict[str, Any]:
    """The plain ``about:blank`` problem the API uses for 403, 500, 503 and friends.

    >>> generic(503)["detail"]
    'Service Unavailable'
    """
    reason = _REASONS.get(status, "Error")
    return {"title": reason, "type": "about:blank", "status": status, "detail": reason}


def param_error(message: str, **parameters: list[str]) -> dict[str, Any]:
    """One entry of an invalid-request problem's ``errors``."""
    return {"parameters": parameters, "message": message}


def invalid_request(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 400 body (key order as recorded: errors, title, detail, type)."""
    return {
        "errors": errors,
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST,
    }


def unsupported_authentication(app_only: bool) -> dict[str, Any]:
    """403 for credentials an endpoint does not take."""
    if app_only:
        detail = (
            "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint."
            "  Supported authentication types are [OAuth 1.0a User Context, "
            "OAuth 2.0 User Context]."
        )
    else:
        detail = (
            "Authenticating with OAuth 1.0a User Context or OAuth 2.0 User Context is "
            "forbidden for this endpoint.  Supported authentication types are "
            "[OAuth 2.0 Application-Only]."
        )
    return {
        "title": "Unsupported Authentication",
        "detail": detail,
        "type": UNSUPPORTED_AUTH,
        "status": 403,
    }


def not_found(resource_type: str, parameter: str, value: str) -> dict[str, Any]:
    """Partial error for a resource that does not exist (or was deleted)."""
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": RESOURCE_NOT_FOUND,
    }


def suspended(parameter: str, value: str) -> dict[str, Any]:
    """Partial error for a suspended account (the real type is resource-not-found)."""
    return {
        "value": value,
        "detail": f"User has been suspended: [{value}].",
        "title": "Forbidden",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": RESOURCE_NOT_FOUND,
    }


def not_authorized(resource_type: str, parameter: str, value: str, section: str) -> dict[str, Any]:
    """Partial error for a resource the credentials may not see (protected account)."""
    noun = "Tweet" if resource_type == "tweet" else resource_type
    return {
        "value": value,
        "detail": f"Sorry, you are not authorized to see the {noun} with {parameter}: [{value}].",
        "title": "Authorization Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "section": section,
        "type": NOT_AUTHORIZED,
    }


def for_tweet(state: str, parameter: str, value: str, section: str) -> dict[str, Any]:
    """The partial error for a post in ``state`` (as ``Corpus.row_state`` names it)."""
    if state == "protected":
        return not_authorized("tweet", parameter, value, section)
    return not_found("tweet", parameter, value)


def for_user(state: str, parameter: str, value: str, section: str) -> dict[str, Any]:
    """The partial error for an account in ``state`` (missing, suspended, ...)."""
    if state == "suspended":
        return suspended(parameter, value)
    if state == "protected":
        return not_authorized("user", parameter, value, section)
    return not_found("user", parameter, value)
