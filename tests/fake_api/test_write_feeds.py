"""Created posts show where X shows them: search, counts, mentions, home timelines, list posts
and quote posts, merged with the corpus's own posts, until they are deleted."""

from __future__ import annotations

from fake_api.acting import World, world

from twxdata.testing.timestamps import iso


async def total(w: World, path: str, query: str, **params: str) -> int:
    return int((await w.get(path, query=query, **params))["meta"]["total_tweet_count"])


async def test_search_and_counts_see_a_post_as_soon_as_it_exists() -> None:
    async with world() as w:
        me = w.ids.me
        query = f"from:{me}"
        recent, full = "/2/tweets/counts/recent", "/2/tweets/counts/all"
        early = iso(w.api.now() - 3600)  # a window that ends before the post is made
        before = [
            await total(w, recent, query),
            await total(w, full, query),
            await total(w, recent, query, end_time=early),
        ]
        buckets = (await w.get(recent, query=query, granularity="hour"))["data"]
        made = await w.post(me, "hello counts #zebra")
        assert (await w.listed("/2/tweets/search/recent", query=query))[0] == made
        assert [
            await total(w, recent, query),
            await total(w, full, query),
            await total(w, recent, query, end_time=early),
        ] == [before[0] + 1, before[1] + 1, before[2]]
        # The post falls in the last bucket; the others stay as they were.
        after = (await w.get(recent, query=query, granularity="hour"))["data"]
        assert after[:-1] == buckets[:-1]
        assert after[-1] == {**buckets[-1], "tweet_count": buckets[-1]["tweet_count"] + 1}
        assert await total(w, recent, "#zebra") == 1
        await w.send("DELETE", f"/2/tweets/{made}", me)
        assert [await total(w, recent, query), await total(w, full, query)] == before[:2]
        assert await total(w, recent, "#zebra") == 0


async def test_mentions_timeline_holds_mentions_and_replies() -> None:
    async with world() as w:
        ids = w.ids
        name = (await w.get(f"/2/users/{ids.other}"))["data"]["username"]
        path = f"/2/users/{ids.other}/mentions"
        before = await w.listed(path, max_results=100)
        mention = await w.post(ids.me, f"hey @{name} look")
        theirs = await w.post(ids.other, "a post of theirs")
        reply = await w.post(ids.me, "no at-sign here", reply={"in_reply_to_tweet_id": theirs})
        await w.post(ids.other, "talking to myself", reply={"in_reply_to_tweet_id": theirs})
        expected = [reply, mention, *before]
        assert await w.listed(path, max_results=100) == expected[:100]
        page = await w.get(path, max_results=5)
        assert page["meta"]["newest_id"] == reply
        assert page["meta"]["result_count"] == min(5, len(expected))
        # Search agrees: a reply mentions the account it answers.
        found = await w.listed("/2/tweets/search/recent", query=f"@{name}")
        assert found[:2] == [reply, mention]
        assert await w.listed(path, max_results=100, until_id=mention) == before[:100]
        await w.send("DELETE", f"/2/tweets/{reply}", ids.me)
        assert await w.listed(path, max_results=100) == [mention, *before][:100]


async def test_home_timelines_of_the_author_and_of_followers() -> None:
    async with world() as w:
        ids = w.ids
        mine, theirs = (
            f"/2/users/{u}/timelines/reverse_chronological" for u in (ids.me, ids.other)
        )
        made = await w.post(ids.me, "for my followers")
        assert (await w.listed(mine, ids.me))[0] == made
        assert made not in await w.listed(theirs, ids.other, max_results=100)
        await w.send(
            "POST", f"/2/users/{ids.other}/following", ids.other, {"target_user_id": ids.me}
        )
        assert (await w.listed(theirs, ids.other))[0] == made
        repost = await w.send(
            "POST", f"/2/users/{ids.me}/retweets", ids.me, {"tweet_id": ids.target}
        )
        reply = await w.post(ids.me, "replying", reply={"in_reply_to_tweet_id": ids.target})
        assert (await w.listed(theirs, ids.other))[:3] == [reply, repost["id"], made]
        assert (await w.listed(theirs, ids.other, exclude="replies,retweets"))[0] == made
        await w.send("DELETE", f"/2/users/{ids.other}/following/{ids.me}", ids.other)
        assert made not in await w.listed(theirs, ids.other, max_results=100)


async def test_home_timeline_pages_through_created_and_generated_posts() -> None:
    async with world() as w:
        me = w.ids.me
        path = f"/2/users/{me}/timelines/reverse_chronological"
        made = [await w.post(me, f"post number {n}") for n in range(7)]
        seen: list[str] = []
        token = None
        while len(seen) < 40:
            params = {"max_results": 5, **({"pagination_token": token} if token else {})}
            page = await w.get(path, me, **params)
            seen += [t["id"] for t in page["data"]]
            token = page["meta"].get("next_token")
            if not token:
                break
        assert seen[:7] == made[::-1] and len(set(seen)) == len(seen)
        assert [int(i) for i in seen] == sorted((int(i) for i in seen), reverse=True)


async def test_list_posts_hold_what_members_post() -> None:
    async with world() as w:
        ids = w.ids
        made = await w.post(ids.me, "a post for the list")
        listed = await w.send("POST", "/2/lists", ids.other, {"name": "people"})
        path = f"/2/lists/{listed['id']}/tweets"
        assert (await w.get(path)) == {"meta": {"result_count": 0}}
        await w.send("POST", f"/2/lists/{listed['id']}/members", ids.other, {"user_id": ids.me})
        posts = await w.listed(path, max_results=100)
        assert posts[0] == made and len(posts) > 1  # then the member's generated posts
        assert "newest_id" not in (await w.get(path))["meta"]


async def test_quote_posts_of_created_posts() -> None:
    async with world() as w:
        ids = w.ids
        mine = await w.post(ids.me, "quote me")
        path = f"/2/tweets/{mine}/quote_tweets"
        assert await w.get(path) == {"meta": {"result_count": 0}}
        first = await w.post(ids.other, "quoting once", quote_tweet_id=mine)
        second = await w.post(ids.me, "quoting myself", quote_tweet_id=mine)
        page = await w.get(path)
        assert [t["id"] for t in page["data"]] == [second, first]
        assert page["meta"] == {"result_count": 2}
