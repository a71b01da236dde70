"""The synthetic accounts: columns for every user, and a profile built on demand.

Users are sorted by creation time, so their ids increase with their index and an id is found
by binary search. Usernames end in the user's index (``amira_h42``), which makes a username
lookup O(1) without a table of a hundred thousand strings.

>>> import numpy as np
>>> u = Users(seed=1, n=50, before=1.7e9)
>>> u.index_of_username(u.username(7)), u.index_of_id(int(u.ids[7]))
(7, 7)
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import numpy.typing as npt

from twxdata.testing import vocab
from twxdata.testing.rand import code, mix, pick, unit
from twxdata.testing.snowflake import TWITTER_EPOCH_MS
from twxdata.testing.timestamps import iso

VERIFIED_TYPES = ("none", "blue", "business", "government")
_TRAILING_DIGITS = re.compile(r"^([A-Za-z_]*?)(\d+)$")
_SALT_PROFILE = 11
_CLASSIC_CUTOFF_S = 1_356_998_400  # 2013-01-01: accounts before it get small pre-snowflake ids


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z]", "", folded)


class Users:
    """Column store of ``n`` accounts, all created before Unix time ``before``.

    Flags (``protected``, ``suspended``, ``deactivated``) are the *initial* state; the corpus
    keeps later changes in its own mutable state.
    """

    def __init__(self, seed: int, n: int, before: float) -> None:
        self.seed = seed
        self.n = n
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
        first = 1_167_609_600  # 2007-01-01
        # Sign-ups grew over the years: a square-root warp puts more accounts in later years.
        frac = np.sort(np.sqrt(rng.random(n)))
        created = (first + frac * (before - 86_400 * 40 - first)).astype(np.int64)
        self.created_s: npt.NDArray[np.int64] = created
        ms = created * 1000 + rng.integers(0, 1000, n)
        ms = np.maximum.accumulate(ms - np.arange(n)) + np.arange(n)  # strictly increasing
        classic = created < _CLASSIC_CUTOFF_S
        span = np.clip((created - first) / (_CLASSIC_CUTOFF_S - first), 0.0, 1.0)
        old_ids = (12 + span * 1_100_000_000).astype(np.int64)
        old_ids = np.maximum.accumulate(old_ids - np.arange(n)) + np.arange(n)
        low = rng.integers(0, 1 << 22, n)
        new_ids = ((ms - TWITTER_EPOCH_MS) << 22) | low
        self.ids: npt.NDArray[np.int64] = np.where(classic, old_ids, new_ids).astype(np.int64)
        # Heavy tails: a few accounts post most of the posts and collect most followers.
        self.activity: npt.NDArray[np.float64] = rng.pareto(1.3, n) + 0.05
        self.popularity: npt.NDArray[np.float64] = (rng.pareto(1.1, n) + 0.02) * (
            1 + self.activity / self.activity.mean()
        )
        lang_p = np.array(vocab.LANG_WEIGHTS) / sum(vocab.LANG_WEIGHTS)
        self.lang: npt.NDArray[np.int8] = rng.choice(len(vocab.LANGS), n, p=lang_p).astype(np.int8)
        r = rng.random((n, 6))
        top = self.popularity >= np.quantile(self.popularity, 0.97)
        self.verified: npt.NDArray[np.bool_] = (r[:, 0] < 0.04) | (top & (r[:, 0] < 0.5))
        vt = np.where(r[:, 1] < 0.7, 1, np.where(r[:, 1] < 0.9, 2, 3))
        self.verified_type: npt.NDArray[np.int8] = np.where(self.verified, vt, 0).astype(np.int8)
        self.protected: npt.NDArray[np.bool_] = (r[:, 2] < 0.03) & ~top
        self.suspended: npt.NDArray[np.bool_] = (r[:, 3] < 0.005) & ~top
        self.deactivated: npt.NDArray[np.bool_] = (r[:, 4] < 0.005) & ~top & ~self.suspended
        self.withheld: npt.NDArray[np.bool_] = r[:, 5] < 0.006
        self._usernames: dict[int, str] = {}

    # --- identity -------------------------------------------------------------------------
    def index_of_id(self, uid: int) -> int | None:
        """The index of the user with id ``uid``, or None."""
        i = int(np.searchsorted(self.ids, uid))
        return i if i < self.n and int(self.ids[i]) == uid else None

    def _h(self, i: int, salt: int) -> int:
        return mix(self.seed, _SALT_PROFILE, i, salt)

    def _names(self, i: int) -> tuple[str, str]:
        first = vocab.FIRST_NAMES[pick(self._h(i, 1), len(vocab.FIRST_NAMES))]
        last = vocab.LAST_NAMES[pick(self._h(i, 2), len(vocab.LAST_NAMES))]
        return first, last

    def username(self, i: int) -> str:
        """The handle of user ``i``: letters from the name, then the index (max 15 chars)."""
        hit = self._usernames.get(i)
        if hit is None:
            hit = self._usernames[i] = self._make_username(i)
        return hit

    def _make_username(self, i: int) -> str:
        first, last = self._names(i)
        style = pick(self._h(i, 3), 4)
        a, b = _ascii(first), _ascii(last)
        stem = [a.lower() + b[:1].lower(), a + "_" + b, b.lower() + "_", a[:1] + b][style]
        digits = str(i)
        return stem[: 15 - len(digits)] + digits

    def index_of_username(self, name: str) -> int | None:
        """Index of the user with this handle (case-insensitive, as X matches them), or None."""
        m = _TRAILING_DIGITS.match(name)
        if m is None or (len(m.group(2)) > 1 and m.group(2).startswith("0")):
            return None
        i = int(m.group(2))
        if i >= self.n or self.username(i).lower() != name.lower():
            return None
        return i

    def display_name(self, i: int) -> str:
        h = self._h(i, 4)
        if unit(h) < 0.1:
            return vocab.SCRIPT_NAMES[pick(h >> 8, len(vocab.SCRIPT_NAMES))]
        first, last = self._names(i)
        name = f"{first} {last}"
        if unit(self._h(i, 5)) < 0.12:
            name += " " + vocab.EMOJI[pick(self._h(i, 6), len(vocab.EMOJI))]
        return name

    # --- profile ----------------------------------------------------------------------------
    def profile(
        self,
        i: int,
        metrics: dict[str, int],
        pinned: int | None,
        recent: int | None,
        protected: bool,
    ) -> dict[str, Any]:
        """Every public field of user ``i`` (keys in alphabetical order, as the API emits)."""
        h = self._h
        uid = str(int(self.ids[i]))
        description, desc_entities = self._description(i)
        out: dict[str, Any] = {
            "created_at": iso(int(self.created_s[i])),
            "description": description,
        }
        entities: dict[str, Any] = {}
        has_url = unit(h(i, 20)) < 0.45
        url = ""
        if has_url:
            url = f"https://t.co/{code(h(i, 21), 10)}"
            domain, stem, _ = vocab.LINK_DOMAINS[pick(h(i, 22), len(vocab.LINK_DOMAINS))]
            expanded = f"https://{domain}{stem}{pick(h(i, 23), 9000) + 1000}"
            entities["url"] = {
                "urls": [
                    {
                        "start": 0,
                        "end": len(url),
                        "url": url,
                        "expanded_url": expanded,
                        "display_url": (domain + stem)[:26],
                    }
                ]
            }
        if desc_entities:
            entities["description"] = desc_entities
        if entities:
            out["entities"] = entities
        out["id"] = uid
        location = vocab.LOCATIONS[pick(h(i, 24), len(vocab.LOCATIONS))]
        if location:
            out["location"] = location
        if recent is not None:
            out["most_recent_tweet_id"] = str(recent)
        out["name"] = self.display_name(i)
        if pinned is not None:
            out["pinned_tweet_id"] = str(pinned)
        out["profile_banner_url"] = f"https://pbs.twimg.com/profile_banners/{uid}/{1600000000 + i}"
        out["profile_image_url"] = (
            f"https://pbs.twimg.com/profile_images/{mix(self.seed, i) >> 4}/{code(h(i, 25), 8)}"
            "_normal.jpg"
        )
        out["protected"] = protected
        out["public_metrics"] = metrics
        out["url"] = url
        out["username"] = self.username(i)
        out["verified"] = bool(self.verified[i])
        out["verified_type"] = VERIFIED_TYPES[int(self.verified_type[i])]
        if self.withheld[i]:
            cc = sorted({vocab.COUNTRY_CODES[pick(h(i, 30 + k), 10)] for k in range(2)})
            out["withheld"] = {"country_codes": cc}
        return out

    def _description(self, i: int) -> tuple[str, dict[str, Any]]:
        h = self._h
        if unit(h(i, 40)) < 0.12:
            return "", {}
        text = vocab.BIO_ROLES[pick(h(i, 41), len(vocab.BIO_ROLES))]
        entities: dict[str, list[dict[str, Any]]] = {}
        if unit(h(i, 42)) < 0.5:
            other = pick(h(i, 43), self.n)
            handle = self.username(other)
            text += " at @"
            start = len(text) - 1
            text += handle
            entities["mentions"] = [{"start": start, "end": len(text), "username": handle}]
        if unit(h(i, 44)) < 0.6:
            tag = vocab.HASHTAGS[pick(h(i, 45), len(vocab.HASHTAGS))]
            text += ". Tweets about #"
            start = len(text) - 1
            text += tag
            entities["hashtags"] = [{"start": start, "end": len(text), "tag": tag}]
        if unit(h(i, 46)) < 0.08:
            tag = vocab.CASHTAGS[pick(h(i, 47), len(vocab.CASHTAGS))]
            text += " Long $"
            start = len(text) - 1
            text += tag
            entities["cashtags"] = [{"start": start, "end": len(text), "tag": tag}]
        if unit(h(i, 48)) < 0.15:
            url = f"https://t.co/{code(h(i, 49), 10)}"
            text += " Blog: "
            start = len(text)
            text += url
            entities["urls"] = [
                {
                    "start": start,
                    "end": len(text),
                    "url": url,
                    "expanded_url": f"https://blog.example.org/{i}",
                    "display_url": f"blog.example.org/{i}",
                }
            ]
        if unit(h(i, 50)) < 0.2:
            text += " " + vocab.EMOJI[pick(h(i, 51), len(vocab.EMOJI))]
        return text, {k: entities[k] for k in sorted(entities)}
