"""The OAuth 2.0 PKCE flow against a loopback token endpoint that checks the verifier."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from aiohttp import web

from twxdata.auth import OAuth2PKCE
from twxdata.client import Client
from twxdata.errors import BadRequest


class TokenServer:
    def __init__(self) -> None:
        self.challenge = ""
        self.seen: list[dict[str, list[str]]] = []
        self.url = ""

    async def token(self, request: web.Request) -> web.Response:
        form = parse_qs(await request.text())
        self.seen.append(form)
        if form["grant_type"] == ["authorization_code"]:
            verifier = form["code_verifier"][0].encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != self.challenge or form["code"] != ["GOOD"]:
                return web.json_response(
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the authorization code was invalid.",
                    },
                    status=400,
                )
            body = {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "ACCESS-1",
                "refresh_token": "REFRESH-1",
                "scope": "tweet.read offline.access",
            }
        else:
            assert form["refresh_token"] == ["REFRESH-1"]
            body = {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "ACCESS-2",
                "refresh_token": "REFRESH-2",
                "scope": "tweet.read offline.access",
            }
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def me(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] in ("Bearer ACCESS-1", "Bearer ACCESS-2")
        return web.json_response({"data": {"id": "77", "name": "Me", "username": "me"}})


@pytest.fixture
async def server():
    state = TokenServer()
    app = web.Application()
    app.router.add_post("/2/oauth2/token", state.token)
    app.router.add_get("/2/users/me", state.me)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield state
    await runner.cleanup()


async def test_code_exchange_refresh_and_use(server):
    flow = OAuth2PKCE("client-1", "http://127.0.0.1:9/cb", token_url=server.url + "/2/oauth2/token")
    authorize = parse_qs(urlsplit(flow.authorization_url()).query)
    server.challenge = authorize["code_challenge"][0]
    code = flow.code_from_redirect(f"http://127.0.0.1:9/cb?state={flow.state}&code=GOOD")
    async with Client(api_base=server.url) as client:
        token = await client.fetch_oauth2_token(flow, code)
        assert token.access_token.reveal() == "ACCESS-1"
        assert await client.authenticated_user_id() == "77"
        fresh = await client.refresh_oauth2_token(flow)
        assert fresh.access_token.reveal() == "ACCESS-2"
        assert "ACCESS" not in repr(client) and "REFRESH" not in repr(fresh)


async def test_a_wrong_code_is_the_apis_error(server):
    flow = OAuth2PKCE("client-1", "http://127.0.0.1:9/cb", token_url=server.url + "/2/oauth2/token")
    server.challenge = parse_qs(urlsplit(flow.authorization_url()).query)["code_challenge"][0]
    async with Client(api_base=server.url) as client:
        with pytest.raises(BadRequest, match="authorization code was invalid"):
            await client.fetch_oauth2_token(flow, "BAD")
