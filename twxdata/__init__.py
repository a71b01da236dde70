"""twxdata: X (Twitter) API v2 to analysis-ready, typed tables.

>>> import twxdata
>>> twxdata.__version__ >= "0.1"
True
"""

from __future__ import annotations

from twxdata._version import __version__
from twxdata.endpoints import ENDPOINTS, Endpoint
from twxdata.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Forbidden,
    NotFound,
    ParameterError,
    ServerError,
    TooManyRequests,
    TransportError,
    TwxError,
    Unauthorized,
)

__all__ = [
    "ENDPOINTS",
    "ApiError",
    "AuthError",
    "BadRequest",
    "Endpoint",
    "Forbidden",
    "NotFound",
    "ParameterError",
    "ServerError",
    "TooManyRequests",
    "TransportError",
    "TwxError",
    "Unauthorized",
    "__version__",
]
