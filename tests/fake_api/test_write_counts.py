"""Writes move the counts reads show: likes, reposts, replies and quotes of a post, in every
read that renders it, and the lists of who liked, reposted and quoted it."""

from __future__ import annotations

from typing import Any

from fake_api.acting import METRICS, World, world

from twxdata.testing.posts import REPLY


async def shown(w: World, tid: str, author: str) -> dict[str, int]:
    """``tid``'s public_metrics as every read shows them (asserting that they agree)."""
    seen = [(await w.get(f"/2/tweets/{tid}", **METRICS))["data"]]
    seen += (await w.get("/2/tweets", ids=tid, **METRICS))["data"]
    for path, params in (
        ("/2/tweets/search/recent", {"query": f"from:{author}"}),
        (f"/2/users/{author}/tweets", {}),
    ):
        page = await w.get(path, max_results=10, **params, **METRICS)
        seen += [t for t in page["data"] if t["id"] == tid]
    assert len(seen) == 4, "the post is missing from a read"
    metrics = [t["public_metrics"] for t in seen]
    assert all(m == metrics[0] for m in metrics), metrics
    return metrics[0]  # type: ignore[no-any-return]


def moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in before if after[k] != before[k]}


async def test_a_like_and_an_unlike_move_like_count_everywhere() -> None:
    async with world() as w:
        ids = w.ids
        before = await shown(w, ids.target, ids.author)
        assert await w.send("POST", f"/2/users/{ids.me}/likes", ids.me, {"tweet_id": ids.target})
        assert moved(before, await shown(w, ids.target, ids.author)) == {"like_count": 1}
        assert (await w.listed(f"/2/tweets/{ids.target}/liking_users"))[0] == ids.me
        assert (await w.listed(f"/2/users/{ids.me}/liked_tweets"))[0] == ids.target
        # Liking again is harmless, and counts once.
        await w.send("POST", f"/2/users/{ids.me}/likes", ids.me, {"tweet_id": ids.target})
        assert moved(before, await shown(w, ids.target, ids.author)) == {"like_count": 1}
        await w.send("DELETE", f"/2/users/{ids.me}/likes/{ids.target}", ids.me)
        assert await shown(w, ids.target, ids.author) == before
        assert ids.me not in await w.listed(f"/2/tweets/{ids.target}/liking_users")
        assert ids.target not in await w.listed(f"/2/users/{ids.me}/liked_tweets")


async def test_likes_the_corpus_made_count_once_and_can_be_taken_back() -> None:
    async with world() as w:
        ids = w.ids
        before = await shown(w, ids.target, ids.author)
        assert ids.liker in await w.listed(f"/2/tweets/{ids.target}/liking_users")
        await w.send("POST", f"/2/users/{ids.liker}/likes", ids.liker, {"tweet_id": ids.target})
        assert await shown(w, ids.target, ids.author) == before  # already liked
        await w.send("DELETE", f"/2/users/{ids.liker}/likes/{ids.target}", ids.liker)
        assert moved(before, await shown(w, ids.target, ids.author)) == {"like_count": -1}
        assert ids.liker not in await w.listed(f"/2/tweets/{ids.target}/liking_users")
        liked = await w.get(f"/2/users/{ids.liker}/liked_tweets", max_results=100)
        assert ids.target not in [t["id"] for t in liked.get("data", [])]


async def test_reposts_move_retweet_count_of_the_source_and_of_every_repost() -> None:
    async with world() as w:
        ids = w.ids
        tid = ids.reposted
        author = (await w.get(f"/2/tweets/{tid}", tweet__fields="author_id"))["data"]["author_id"]
        before = await shown_any(w, tid)
        made = await w.send("POST", f"/2/users/{ids.me}/retweets", ids.me, {"tweet_id": tid})
        after = await shown_any(w, tid)
        assert moved(before, after) == {"retweet_count": 1}
        assert (await w.listed(f"/2/tweets/{tid}/retweeted_by"))[0] == ids.me
        # A repost shows its source's repost count, generated or created, and nothing else.
        reposts = await w.get(
            "/2/tweets/search/recent",
            query=f"retweets_of:{author}",
            max_results=100,
            tweet__fields="public_metrics,referenced_tweets",
        )
        of_tid = [t for t in reposts["data"] if t["referenced_tweets"][0]["id"] == tid]
        assert made["id"] in [t["id"] for t in of_tid] and len(of_tid) >= 2
        assert {t["public_metrics"]["retweet_count"] for t in of_tid} == {after["retweet_count"]}
        mine = (await w.get(f"/2/tweets/{made['id']}", **METRICS))["data"]["public_metrics"]
        zero = dict.fromkeys(mine, 0)
        assert mine == {**zero, "retweet_count": after["retweet_count"]}
        # Undoing it, and undoing a repost the corpus made, each take one back.
        await w.send("DELETE", f"/2/users/{ids.me}/retweets/{tid}", ids.me)
        assert await shown_any(w, tid) == before
        await w.send("DELETE", f"/2/users/{ids.reposter}/retweets/{tid}", ids.reposter)
        assert moved(before, await shown_any(w, tid)) == {"retweet_count": -1}
        assert ids.reposter not in await w.listed(f"/2/tweets/{tid}/retweeted_by")


async def shown_any(w: World, tid: str) -> dict[str, int]:
    """Like ``shown`` for a post that need not be its author's newest: lookups only."""
    one = (await w.get(f"/2/tweets/{tid}", **METRICS))["data"]["public_metrics"]
    many = (await w.get("/2/tweets", ids=tid, **METRICS))["data"][0]["public_metrics"]
    assert one == many
    return one  # type: ignore[no-any-return]


async def test_replies_and_quotes_count_until_they_are_deleted() -> None:
    async with world() as w:
        ids = w.ids
        before = await shown(w, ids.target, ids.author)
        reply = await w.post(ids.me, "a reply", reply={"in_reply_to_tweet_id": ids.target})
        quote = await w.post(ids.other, "a quote", quote_tweet_id=ids.target)
        after = await shown(w, ids.target, ids.author)
        assert moved(before, after) == {"reply_count": 1, "quote_count": 1}
        # The post in includes shows the same counts as the post itself.
        page = await w.get(
            "/2/tweets", ids=f"{reply},{quote}", expansions="referenced_tweets.id", **METRICS
        )
        included = {t["id"]: t["public_metrics"] for t in page["includes"]["tweets"]}
        assert included == {ids.target: after}
        assert await w.listed(f"/2/tweets/{ids.target}/quote_tweets") == [quote]
        await w.send("DELETE", f"/2/tweets/{reply}", ids.me)
        assert moved(before, await shown(w, ids.target, ids.author)) == {"quote_count": 1}
        await w.send("DELETE", f"/2/tweets/{quote}", ids.other)
        assert await shown(w, ids.target, ids.author) == before
        quotes = await w.listed(f"/2/tweets/{ids.target}/quote_tweets")
        assert quote not in quotes


async def test_created_posts_have_counts_and_lists_of_their_own() -> None:
    async with world() as w:
        ids = w.ids
        mine = await w.post(ids.me, "my own post")
        await w.send("POST", f"/2/users/{ids.other}/likes", ids.other, {"tweet_id": mine})
        reply = await w.post(ids.other, "answering", reply={"in_reply_to_tweet_id": mine})
        quote = await w.post(ids.other, "quoting", quote_tweet_id=mine)
        repost = await w.send(
            "POST", f"/2/users/{ids.other}/retweets", ids.other, {"tweet_id": mine}
        )
        metrics = await shown(w, mine, ids.me)
        assert (
            metrics["like_count"],
            metrics["reply_count"],
            metrics["quote_count"],
            metrics["retweet_count"],
        ) == (1, 1, 1, 1)
        assert await w.listed(f"/2/tweets/{mine}/liking_users") == [ids.other]
        assert await w.listed(f"/2/tweets/{mine}/retweeted_by") == [ids.other]
        assert await w.listed(f"/2/tweets/{mine}/quote_tweets") == [quote]
        assert (await w.listed(f"/2/users/{ids.other}/liked_tweets"))[0] == mine
        reposted = (await w.get(f"/2/tweets/{repost['id']}", **METRICS))["data"]
        assert reposted["public_metrics"]["retweet_count"] == 1
        # Liking the repost likes its source, as on X.
        await w.send("POST", f"/2/users/{ids.me}/likes", ids.me, {"tweet_id": repost["id"]})
        assert (await shown(w, mine, ids.me))["like_count"] == 2
        assert reply in await w.listed("/2/tweets/search/recent", query=f"conversation_id:{mine}")


async def test_accounts_count_the_likes_they_give_and_the_posts_they_make() -> None:
    async with world() as w:
        ids = w.ids

        async def counts() -> dict[str, Any]:
            me = await w.get(f"/2/users/{ids.me}", user__fields="public_metrics")
            return me["data"]["public_metrics"]  # type: ignore[no-any-return]

        before = await counts()
        await w.send("POST", f"/2/users/{ids.me}/likes", ids.me, {"tweet_id": ids.target})
        made = await w.post(ids.me, "counting my posts")
        assert moved(before, await counts()) == {"like_count": 1, "tweet_count": 1}
        await w.send("DELETE", f"/2/tweets/{made}", ids.me)
        await w.send("DELETE", f"/2/users/{ids.me}/likes/{ids.target}", ids.me)
        assert await counts() == before


async def test_a_like_taken_back_leaves_every_answer_as_it_was() -> None:
    async with world() as w:
        ids = w.ids
        asks = [
            ("/2/tweets/search/recent", {"query": f"from:{ids.author}", **METRICS}),
            (f"/2/tweets/{ids.target}", {"expansions": "author_id", **METRICS}),
            (f"/2/users/{ids.author}/tweets", METRICS),
        ]
        before = [await w.get(path, **params) for path, params in asks]
        await w.send("POST", f"/2/users/{ids.me}/likes", ids.me, {"tweet_id": ids.target})
        assert [await w.get(path, **params) for path, params in asks] != before
        await w.send("DELETE", f"/2/users/{ids.me}/likes/{ids.target}", ids.me)
        assert [await w.get(path, **params) for path, params in asks] == before


async def test_deleting_a_generated_reply_through_the_api_takes_its_count_back() -> None:
    async with world() as w:
        c = w.api.corpus
        ok = {u for u in range(c.users.n) if c.user_state(u) == "ok"}
        replies = [
            int(i)
            for i in c.visible_rows()
            if int(c.posts.kind[i]) == REPLY
            and int(c.posts.author[i]) in ok
            and c.visible[int(c.posts.ref[i])]
        ]
        by_api, by_hook = (
            replies[-1],
            next(i for i in replies if int(c.posts.ref[i]) != int(c.posts.ref[replies[-1]])),
        )
        parents = [str(int(c.posts.ids[int(c.posts.ref[i])])) for i in (by_api, by_hook)]
        before = [await shown_any(w, p) for p in parents]
        author = str(int(c.users.ids[int(c.posts.author[by_api])]))
        await w.send("DELETE", f"/2/tweets/{int(c.posts.ids[by_api])}", author)
        # The hook tests use to make a post vanish behind a collection's back moves nothing.
        assert c.delete_tweet(int(c.posts.ids[by_hook]))
        after = [await shown_any(w, p) for p in parents]
        assert [moved(b, a) for b, a in zip(before, after, strict=True)] == [
            {"reply_count": -1},
            {},
        ]
