"""Every write method against the fake API, each read back through the read methods."""

from __future__ import annotations

import asyncio

import aiohttp
import orjson
import pytest
from compat.support import Ids

from twxdata.compat import AsyncClient, AsyncPaginator, Tweet
from twxdata.errors import Forbidden, NotFound
from twxdata.testing import FakeXApi


async def ids_of(method, *args, **kw) -> list[int]:
    r = await method(*args, **kw)
    return [o.id for o in r.data or []]


async def test_create_then_look_up_search_and_delete(client: AsyncClient, ids: Ids) -> None:
    r = await client.create_tweet(text="Launching #twxdata today with @nobody_here")
    made = r.data  # write confirmations stay dicts, as in tweepy
    assert set(made) == {"id", "text", "edit_history_tweet_ids"}
    assert made["edit_history_tweet_ids"] == [made["id"]] and int(made["id"]) > ids.tweet
    got = await client.get_tweet(
        made["id"], tweet_fields=["author_id", "entities", "created_at", "lang"]
    )
    assert isinstance(got.data, Tweet) and got.data.author_id == ids.me
    assert got.data.entities["hashtags"][0]["tag"] == "twxdata"
    found = await client.search_recent_tweets("#twxdata", max_results=10)
    assert found.data[0].id == int(made["id"]) and found.meta["newest_id"] == made["id"]
    found = await client.search_recent_tweets("launching -is:retweet from:" + str(ids.me))
    assert [t.id for t in found.data] == [int(made["id"])]
    timeline = await client.get_users_tweets(ids.me, max_results=5)
    assert timeline.data[0].id == int(made["id"]) and len(timeline.data) == 5
    both = await client.get_tweets([made["id"], ids.tweet])
    assert [t.id for t in both.data] == [int(made["id"]), ids.tweet]
    assert (await client.delete_tweet(made["id"])).data == {"deleted": True}
    gone = await client.get_tweet(made["id"])
    assert gone.data is None and gone.errors[0]["title"] == "Not Found Error"
    assert (await client.search_recent_tweets("#twxdata")).data is None


async def test_replies_quotes_polls_media_and_places(
    client: AsyncClient, other: AsyncClient, ids: Ids
) -> None:
    poll = await client.create_tweet(
        text="Which one?", poll_options=["cats", "dogs"], poll_duration_minutes=60
    )
    reply = await other.create_tweet(
        text="cats, obviously", in_reply_to_tweet_id=poll.data["id"], place_id="3078869807f9dd36"
    )
    quote = await other.create_tweet(
        text="look at this", quote_tweet_id=ids.tweet, media_ids=[1234567890]
    )
    r = await client.get_tweets(
        [poll.data["id"], reply.data["id"], quote.data["id"]],
        expansions=[
            "attachments.poll_ids", "attachments.media_keys", "referenced_tweets.id",
            "in_reply_to_user_id", "geo.place_id", "author_id",
        ],
        tweet_fields=["conversation_id", "referenced_tweets", "in_reply_to_user_id"],
    )  # fmt: skip
    first, second, third = r.data
    assert [o["label"] for o in r.includes["polls"][0].options] == ["cats", "dogs"]
    assert second.conversation_id == first.id and second.in_reply_to_user_id == ids.me
    assert second.referenced_tweets[0].type == "replied_to"
    assert third.referenced_tweets[0].id == ids.tweet
    assert {m.media_key for m in r.includes["media"]} == {"3_1234567890"}
    assert r.includes["places"][0].id == "3078869807f9dd36"
    assert {t.id for t in r.includes["tweets"]} >= {ids.tweet, first.id}
    assert {u.id for u in r.includes["users"]} >= {ids.me, ids.other}
    replies = await client.search_recent_tweets(f"in_reply_to_tweet_id:{first.id}")
    assert [t.id for t in replies.data] == [second.id]


async def test_hide_and_unhide_a_reply(client: AsyncClient, other: AsyncClient) -> None:
    mine = await client.create_tweet(text="my thread")
    reply = await other.create_tweet(text="a reply", in_reply_to_tweet_id=mine.data["id"])
    assert (await client.hide_reply(reply.data["id"])).data == {"hidden": True}
    assert (await client.unhide_reply(reply.data["id"])).data == {"hidden": False}
    with pytest.raises(Forbidden):  # only replies in one's own conversations
        await other.hide_reply(reply.data["id"])


async def test_like_unlike_and_liked_lists(client: AsyncClient, ids: Ids) -> None:
    assert (await client.like(ids.tweet)).data == {"liked": True}
    assert ids.me in await ids_of(client.get_liking_users, ids.tweet)
    assert (await ids_of(client.get_liked_tweets, ids.me))[0] == ids.tweet
    assert (await client.unlike(ids.tweet)).data == {"liked": False}
    assert ids.me not in await ids_of(client.get_liking_users, ids.tweet, max_results=100)
    assert ids.tweet not in await ids_of(client.get_liked_tweets, ids.me, max_results=100)
    with pytest.raises(NotFound):
        await client.like(1)


async def test_retweet_and_unretweet(client: AsyncClient, ids: Ids) -> None:
    r = await client.retweet(ids.tweet)
    assert r.data["retweeted"] is True
    assert (await client.retweet(ids.tweet)).data == r.data  # a second repost is the same one
    assert (await ids_of(client.get_retweeters, ids.tweet))[0] == ids.me
    reposts = await client.search_recent_tweets(f"is:retweet from:{ids.me}", max_results=10)
    assert reposts.data[0].id == int(r.data["id"])
    assert reposts.data[0].text.startswith("RT @")
    assert (await client.unretweet(ids.tweet)).data == {"retweeted": False}
    assert ids.me not in await ids_of(client.get_retweeters, ids.tweet)


async def test_bookmarks_need_an_oauth2_user_token(
    user_client: AsyncClient, client: AsyncClient, ids: Ids, api: FakeXApi
) -> None:
    assert (await user_client.bookmark(ids.tweet)).data == {"bookmarked": True}
    assert (await ids_of(user_client.get_bookmarks))[0] == ids.tweet
    assert (await user_client.remove_bookmark(ids.tweet)).data == {"bookmarked": False}
    assert ids.tweet not in await ids_of(user_client.get_bookmarks)
    assert api.stats.count("get_me") == 1  # the user's id is looked up once per token
    with pytest.raises(Forbidden):  # an app-only bearer token is refused for a write
        await client.bookmark(ids.tweet)


async def test_follow_unfollow_and_protected_accounts(
    client: AsyncClient, ids: Ids, api: FakeXApi
) -> None:
    before = (await client.get_user(id=ids.other, user_fields="public_metrics")).data
    r = await client.follow_user(ids.other)
    assert r.data == {"following": True, "pending_follow": False}
    assert (await ids_of(client.get_users_following, ids.me))[0] == ids.other
    assert (await ids_of(client.get_users_followers, ids.other))[0] == ids.me
    after = (await client.get_user(id=ids.other, user_fields="public_metrics")).data
    count = "followers_count"
    assert after.public_metrics[count] == before.public_metrics[count] + 1
    home = AsyncPaginator(client.get_home_timeline, max_results=100, tweet_fields="author_id")
    assert ids.other in {t.author_id async for t in home.flatten()}
    assert (await client.unfollow_user(ids.other)).data == {"following": False}
    assert ids.me not in await ids_of(client.get_users_followers, ids.other, max_results=1000)
    r = await client.follow_user(ids.protected)
    assert r.data == {"following": False, "pending_follow": True}


async def test_mute_block_and_their_lists(client: AsyncClient, ids: Ids) -> None:
    assert (await client.mute(ids.other)).data == {"muting": True}
    assert await ids_of(client.get_muted) == [ids.other]
    assert (await client.unmute(ids.other)).data == {"muting": False}
    assert await ids_of(client.get_muted) == []
    await client.follow_user(ids.other)
    assert (await client.block(ids.other)).data == {"blocking": True}
    assert await ids_of(client.get_blocked) == [ids.other]
    assert ids.other not in await ids_of(client.get_users_following, ids.me, max_results=1000)
    assert (await client.unblock(ids.other)).data == {"blocking": False}
    assert await ids_of(client.get_blocked) == []


async def test_list_lifecycle(client: AsyncClient, other: AsyncClient, ids: Ids) -> None:
    made = await client.create_list("Research", description="people I read", private=False)
    lid = made.data["id"]
    assert made.data == {"id": lid, "name": "Research"}
    got = await client.get_list(lid, list_fields=["description", "owner_id", "private"])
    assert (got.data.name, got.data.description, got.data.owner_id) == (
        "Research", "people I read", str(ids.me)
    )  # fmt: skip
    assert (await client.update_list(lid, name="Reading", private=True)).data == {"updated": True}
    hidden = await client.get_list(lid)  # the app token sees no private list
    assert hidden.data is None and hidden.errors[0]["title"] == "Authorization Error"
    got = await client.get_list(lid, list_fields=["private"], user_auth=True)
    assert (got.data.name, got.data.private) == ("Reading", True)
    with pytest.raises(NotFound):  # a private list is not there for others
        await other.follow_list(lid)
    await client.update_list(lid, private=False)
    assert (await client.add_list_member(lid, ids.other)).data == {"is_member": True}
    assert await ids_of(client.get_list_members, lid) == [ids.other]
    assert lid in [x.id for x in (await client.get_list_memberships(ids.other)).data]
    with pytest.raises(Forbidden):  # only the owner changes members
        await other.add_list_member(lid, ids.me)
    assert (await other.follow_list(lid)).data == {"following": True}
    assert await ids_of(client.get_list_followers, lid) == [ids.other]
    assert lid in [x.id for x in (await client.get_followed_lists(ids.other)).data]
    assert (await other.unfollow_list(lid)).data == {"following": False}
    assert (await client.pin_list(lid)).data == {"pinned": True}
    assert lid == (await client.get_pinned_lists()).data[0].id
    assert (await client.unpin_list(lid)).data == {"pinned": False}
    assert lid not in [x.id for x in (await client.get_pinned_lists()).data or []]
    assert lid in [x.id for x in (await client.get_owned_lists(ids.me)).data]
    tweets = await client.get_list_tweets(lid, tweet_fields="author_id")
    assert {t.author_id for t in tweets.data} == {ids.other}
    r = await client.remove_list_member(lid, ids.other)
    assert r.data == {"is_member": False}
    assert (await client.get_list_members(lid)).data is None
    assert (await client.delete_list(lid)).data == {"deleted": True}
    gone = await client.get_list(lid)
    assert gone.data is None and gone.errors[0]["resource_type"] == "list"


async def test_direct_messages(client: AsyncClient, other: AsyncClient, ids: Ids) -> None:
    sent = await client.create_direct_message(participant_id=ids.other, text="hi there")
    cid = sent.data["dm_conversation_id"]
    assert cid == "-".join(sorted((str(ids.me), str(ids.other)), key=int))
    await other.create_dm(dm_conversation_id=cid, text="hello back")
    events = await client.get_direct_message_events(
        dm_conversation_id=cid, dm_event_fields=["sender_id", "created_at"], expansions="sender_id"
    )
    assert [e.text for e in events.data] == ["hello back", "hi there"]
    assert [e.sender_id for e in events.data] == [ids.other, ids.me]
    assert {u.id for u in events.includes["users"]} == {ids.me, ids.other}
    with_other = await other.get_dm_events(participant_id=ids.me)
    assert [e.id for e in with_other.data] == [e.id for e in events.data]
    group = await client.create_dm_conversation(
        participant_ids=[ids.other, ids.owner], text="group hello"
    )
    gid = group.data["dm_conversation_id"]
    r = await other.get_dm_events(dm_conversation_id=gid, dm_event_fields="participant_ids")
    assert [e.event_type for e in r.data] == ["MessageCreate", "ParticipantsJoin"]
    assert set(r.data[1].participant_ids) == {ids.me, ids.other, ids.owner}
    everything = await client.get_dm_events(event_types="MessageCreate")
    assert [e.text for e in everything.data] == ["group hello", "hello back", "hi there"]
    r = await client.create_direct_message_conversation(participant_ids=[ids.other], text="x")
    assert r.data["dm_event_id"]


async def test_compliance_job_lifecycle(client: AsyncClient, ids: Ids, api: FakeXApi) -> None:
    c = api.corpus
    deleted = ids.mine
    c.delete_tweet(deleted)
    job = (await client.create_compliance_job("tweets", name="check", resumable=False)).data
    assert job["status"] == "created" and job["upload_url"].startswith(api.url)
    assert set(job) == {
        "created_at", "download_expires_at", "download_url", "id", "name", "resumable",
        "status", "type", "upload_expires_at", "upload_url",
    }  # fmt: skip
    async with aiohttp.ClientSession() as s:  # storage URLs take no credentials
        body = f"{ids.tweet}\n{deleted}\n1\n"
        async with s.put(job["upload_url"], data=body.encode()) as resp:
            assert resp.status == 200
        assert (await client.get_compliance_job(job["id"])).data["status"] == "in_progress"
        assert (await client.get_compliance_job(job["id"])).data["status"] == "complete"
        async with s.get(job["download_url"]) as resp:
            lines = [orjson.loads(x) for x in (await resp.read()).splitlines()]
    assert [(x["id"], x["reason"], x["action"]) for x in lines] == [
        (str(deleted), "deleted", "delete"),
        ("1", "deleted", "delete"),
    ]
    listed = await client.get_compliance_jobs("tweets", status="complete")
    assert [j["id"] for j in listed.data] == [job["id"]]
    users = (await client.create_compliance_job("users")).data
    async with aiohttp.ClientSession() as s:
        await s.put(users["upload_url"], data=f"{ids.protected}\n{ids.me}\n".encode())
        for _ in range(2):
            await client.get_compliance_job(users["id"])
        async with s.get(users["download_url"]) as resp:
            lines = [orjson.loads(x) for x in (await resp.read()).splitlines()]
    assert [(x["id"], x["reason"]) for x in lines] == [(str(ids.protected), "protected")]


async def test_concurrent_first_calls_share_one_user_lookup(
    user_client: AsyncClient, api: FakeXApi, ids: Ids
) -> None:
    posts = [int(i) for i in api.corpus.posts.ids[api.corpus.visible_rows()[-5:]]]
    done = await asyncio.gather(*(user_client.bookmark(p) for p in posts))
    assert [r.data for r in done] == [{"bookmarked": True}] * 5
    assert api.stats.count("get_me") == 1  # tweepy's cache may send one per call here
    saved = [t async for t in AsyncPaginator(user_client.get_bookmarks).flatten(limit=5)]
    assert sorted(t.id for t in saved) == sorted(posts)
