"""The first hour of a new user (issue 13), end to end from the user's side.

Each test drives the ``twxdata`` command in a subprocess (or the public Python API) against the
fake X API running in this process, the way the README tells people to, and checks what the
user sees: the exit status, one clear line per problem, the files written and not written.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest

import twxdata
from twxdata.testing import FakeXApi

LONG_MESSAGE = 400  # no line a user reads should be anywhere near the 1,400-character URL


@pytest.fixture(scope="module")
def api():
    # A real, running clock: "7d" means the last seven days of *now*, as on X.
    with FakeXApi(seed=13, size=6_000) as server:
        yield server


def environment(api: FakeXApi | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env["TWXDATA_CONFIG_DIR"] = os.environ["TWXDATA_CONFIG_DIR"]
    env["TWXDATA_CACHE_DIR"] = os.environ["TWXDATA_CACHE_DIR"]
    if api is not None:
        env |= {"TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
    return env | extra


def twxdata_cli(api, *args, cwd=None, stdin=None, env=None, preexec_fn=None):
    return subprocess.run(
        [sys.executable, "-m", "twxdata", *args],
        capture_output=True,
        env=env or environment(api),
        cwd=cwd,
        input=stdin,
        timeout=180,
        preexec_fn=preexec_fn,
    )


def err_lines(result) -> list[str]:
    return result.stderr.decode().strip().splitlines()


def requests_to(api: FakeXApi, endpoint: str) -> int:
    return api.stats.count(endpoint)


# ---- 1. relative times land inside the window ---------------------------------------------


@pytest.mark.parametrize(
    ("verb", "out", "endpoint"),
    [
        ("search", "a.parquet", "search_recent_tweets"),
        ("counts", "c.csv", "get_recent_tweets_count"),
    ],
)
def test_start_time_7d_collects_rows_and_exits_0(api, tmp_path, verb, out, endpoint):
    before = api.stats.count(endpoint, 400)
    result = twxdata_cli(api, verb, "climate", "--start-time", "7d", "--limit", "150",
                         "-o", str(tmp_path / out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert api.stats.count(endpoint, 400) == before  # the API accepted the window
    frame = (
        pd.read_parquet(tmp_path / out) if out.endswith("parquet") else pd.read_csv(tmp_path / out)
    )
    assert len(frame) > 0


def test_fetch_search_7d_returns_posts_and_no_stopped_stream(api):
    async def main():
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                frame = await twxdata.fetch_search(
                    "climate", start_time="7d", limit=120, client=client, progress=False
                )
            return frame, [str(w.message) for w in caught]

    frame, said = asyncio.run(main())
    assert len(frame) == 120
    assert not [text for text in said if "stopped early" in text], said


def test_a_server_clock_ahead_of_ours_is_learnt_from_its_date_header():
    # The server's clock runs 90 s ahead: "7d" on our clock is 75 s before its 7-day edge, and
    # a client that has not heard from it yet is refused; once an answer told it the server's
    # time (the Date header), the same call is accepted.
    with FakeXApi(seed=2, size=3_000, now=lambda: time.time() + 90) as server:

        async def main():
            async with twxdata.Client(
                bearer_token=server.bearer_token, api_base=server.url, rate_limit_cache=False
            ) as client:
                first = await twxdata.collect_search(
                    "the", start_time="7d", limit=10, client=client, progress=False
                )
                assert client.clock_offset > 80
                second = await twxdata.collect_search(
                    "the", start_time="7d", limit=10, client=client, progress=False
                )
                return first, second

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first, second = asyncio.run(main())
    assert "start_time" in next(iter(first.stream_errors.values()))
    assert not second.stream_errors and second.items == 10


def test_a_relative_time_beyond_the_window_is_refused_before_any_request(api, tmp_path):
    sent = api.stats.total
    result = twxdata_cli(api, "search", "climate", "--start-time", "8d", "-o",
                         str(tmp_path / "a.parquet"))  # fmt: skip
    assert result.returncode == 2
    (line,) = err_lines(result)
    assert line.startswith("twxdata search: error: --start-time: the recent search reaches back")
    assert "--archive" in twxdata_cli(api, "search", "--help").stdout.decode()
    assert api.stats.total == sent and not (tmp_path / "a.parquet").exists()


def test_a_naive_time_is_explained_in_the_command_line_s_words(api, tmp_path):
    result = twxdata_cli(api, "search", "climate", "--start-time", "2024-01-02T10:00")
    assert result.returncode == 2
    text = result.stderr.decode()
    assert "--start-time" in text and "'Z'" in text and "allow_naive" not in text


# ---- 2, 3. API failures exit 1, short messages, no empty file ------------------------------


def test_a_query_the_api_rejects_exits_1_and_writes_nothing(api, tmp_path):
    out = tmp_path / "b.parquet"
    result = twxdata_cli(api, "search", "climate (", "-o", str(out))
    assert result.returncode == 1
    assert not out.exists() and not list(tmp_path.iterdir())
    lines = err_lines(result)
    assert any(line.startswith("twxdata search: query 'climate (': 400") for line in lines)
    assert all(len(line) < LONG_MESSAGE for line in lines), lines
    text = result.stderr.decode()
    assert "tweet.fields" not in text and "?query=" not in text  # no request URL
    assert ".stream_errors" not in text and "last_collection" not in text
    assert "nothing collected, no table written" in text


def test_one_failed_target_exits_1_after_writing_the_others(api, tmp_path):
    out = tmp_path / "two.parquet"
    result = twxdata_cli(api, "search", "climate", "climate (", "--limit", "30", "-o", str(out))
    assert result.returncode == 1
    frame = pd.read_parquet(out)
    assert set(frame["query"]) == {"climate"} and len(frame) == 30
    assert "1 of 2 targets failed" in result.stderr.decode()


# ---- 4. outputs are checked first; a failed final write loses nothing ----------------------


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in, root or not."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    for candidate in (Path("/sys/kernel"), Path("/proc/self")):
        try:
            fd = os.open(candidate / ".twxdata-probe", os.O_CREAT | os.O_WRONLY, 0o600)
        except OSError:
            return candidate
        os.close(fd)
        os.unlink(candidate / ".twxdata-probe")
    pytest.skip("no folder here refuses a write by root")


@pytest.mark.parametrize("flag", ["-o", "--raw", "--dataset"])
def test_an_unwritable_output_is_refused_before_any_request(api, tmp_path, flag):
    folder = unwritable_folder(tmp_path)
    name = "out.parquet" if flag == "-o" else ("r.jsonl" if flag == "--raw" else "ds/")
    sent = api.stats.total
    result = twxdata_cli(api, "search", "python", "--limit", "250", flag, f"{folder}/{name}")
    assert result.returncode == 2, result.stderr
    (line,) = err_lines(result)
    assert f"{flag} {folder}" in line and "cannot write in" in line
    assert api.stats.total == sent


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.txt"], "must end in .parquet or .csv"),
        (["-o", "{tmp}/file.txt/x.parquet"], "is not a folder"),
        (["--raw", "{tmp}"], "is a folder"),
        (["--raw", "{tmp}/r.csv", "-o", "{tmp}/r.csv"], "are the same file"),
    ],
)
def test_impossible_outputs_exit_2_with_nothing_sent(api, tmp_path, args, message):
    (tmp_path / "file.txt").write_text("a user's notes\n")
    sent = api.stats.total
    result = twxdata_cli(api, "search", "python", *[a.format(tmp=tmp_path) for a in args],
                         cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and message in result.stderr.decode(), result.stderr
    assert api.stats.total == sent
    assert (tmp_path / "file.txt").read_text() == "a user's notes\n"


def limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_failed_final_write_keeps_every_response_and_says_where(api, tmp_path):
    # 50 kB: the responses (a few kB) fit, the Parquet file (over 100 kB) does not.
    out = tmp_path / "out.parquet"
    result = twxdata_cli(api, "search", "python", "--limit", "10", "--minimal-fields",
                         "-o", str(out), preexec_fn=limit_file_size(50_000))  # fmt: skip
    assert result.returncode == 1
    text = result.stderr.decode()
    assert f"could not write -o {out}" in text
    spool = Path(re.search(r"are kept in (\S+): run the same command again", text)[1])
    assert spool.is_file() and spool.is_relative_to(os.environ["TWXDATA_CACHE_DIR"])
    lines = spool.read_bytes().splitlines()
    assert sum(len(orjson.loads(line)["data"]) for line in lines) == 10
    assert not out.exists() and not list(tmp_path.glob("*twxdata-tmp"))
    # What the message says works: the table is rebuilt from the kept responses.
    rebuilt = twxdata_cli(api, "flatten", str(spool), "-o", str(out))
    assert rebuilt.returncode == 0 and pq.read_table(out).num_rows == 10


def test_the_spool_is_removed_once_the_tables_are_written(api, tmp_path):
    result = twxdata_cli(api, "search", "python", "--limit", "10", "-o", str(tmp_path / "o.csv"))
    assert result.returncode == 0
    cache = Path(os.environ["TWXDATA_CACHE_DIR"])
    assert not list(cache.rglob("search-*.jsonl"))


# ---- 5. no -o and no --raw: responses on standard output, pipeable -------------------------


def test_without_outputs_responses_go_to_stdout_and_pipe_into_flatten(api, tmp_path):
    result = twxdata_cli(api, "search", "climate", "--limit", "120")
    assert result.returncode == 0
    pages = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(pages) == 2 and sum(len(p["data"]) for p in pages) == 120
    assert all(p["__twxdata"]["endpoint"] == "search_recent_tweets" for p in pages)
    assert b"{" not in result.stderr  # messages only on stderr
    piped = subprocess.run(
        f"{sys.executable} -m twxdata search climate --limit 120 -q | "
        f"{sys.executable} -m twxdata flatten - -o {tmp_path / 'q.parquet'}",
        shell=True,
        capture_output=True,
        env=environment(api),
        timeout=180,
    )
    assert piped.returncode == 0, piped.stderr
    assert pq.read_table(tmp_path / "q.parquet").num_rows == 120


def test_a_closed_pipe_stops_quietly(api):
    piped = subprocess.run(
        f"{sys.executable} -m twxdata search climate --limit 500 --max-results 10 | head -c 100",
        shell=True,
        capture_output=True,
        env=environment(api),
        timeout=180,
    )
    assert len(piped.stdout) == 100
    assert b"Traceback" not in piped.stderr and b"BrokenPipe" not in piped.stderr


# ---- 6. connections: a dead API base ends within seconds, naming where it came from -------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_names_the_api_base_and_where_it_came_from(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    config = tmp_path / "config"
    saved = twxdata_cli(None, "configure", "--api-base", dead, "--store", "file",
                        env=environment(TWXDATA_CONFIG_DIR=str(config)),
                        stdin=b"token\n\n\n\n\n")  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    cases = {
        "saved in": environment(TWXDATA_CONFIG_DIR=str(config)),
        "from TWXDATA_API_BASE": environment(TWXDATA_API_BASE=dead),
        "given with --api-base": environment(),
    }
    for origin, env in cases.items():
        args = ("search", "q") + (("--api-base", dead) if "given" in origin else ())
        result = twxdata_cli(None, *args, env={"TWXDATA_BEARER_TOKEN": "t", **env})
        assert result.returncode == 1, result.stderr
        text = result.stderr.decode()
        assert f"cannot connect to {dead} ({origin}" in text and "connection refused" in text
        assert text.count("retrying") <= 1  # one quick second try, not eight over 97 s


def test_a_server_that_answered_once_is_retried_when_it_goes_away():
    # Refused connections after the first answer are an outage, not a wrong address.
    from twxdata.protocol.retry import Failure, RetryPolicy, decide

    policy = RetryPolicy(max_tries=8, connect_tries=2)
    assert not decide(policy, Failure.UNREACHABLE, tries=2, reached=False).retry
    assert decide(policy, Failure.UNREACHABLE, tries=2, reached=True).retry


def test_the_credential_widget_does_not_save_a_loopback_api_base(api):
    from twxdata.config import load_saved
    from twxdata.widgets.session import CredentialSession

    session = CredentialSession(api_base=api.url)
    session.hold(bearer_token=api.bearer_token)
    saved = session.save(store="file")
    assert saved.get("bearer_token") is not None and saved.api_base is None
    assert load_saved().api_base is None


# ---- 7. sessions closed with their loop, no cookies ----------------------------------------


SCRIPT = """
import asyncio, gc, sys, warnings
warnings.simplefilter("always")
import twxdata

async def main():
    frame = await twxdata.fetch_search("the", limit=20, progress=False)
    client = twxdata.AsyncClient(sys.argv[1], api_base=sys.argv[2])  # never closed
    response = await client.search_recent_tweets("the")
    print(len(frame), len(response.data))

asyncio.run(main())
gc.collect()
print(twxdata.fetch_search_sync("the", limit=5, progress=False).shape[0])
"""


def test_unclosed_clients_close_with_their_loop_without_warnings(api, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, "-W", "always", str(script), api.bearer_token, api.url],
        capture_output=True,
        text=True,
        env=environment(api),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["20", "10", "5"]
    assert "Unclosed" not in result.stderr and "ResourceWarning" not in result.stderr, result.stderr


def test_cookies_are_never_sent_back():
    from aiohttp import web

    seen: list[str | None] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Cookie"))
        response = web.json_response({"data": [], "meta": {"result_count": 0}})
        response.set_cookie("guest_id", "v1%3A1234", path="/", domain=None)
        return response

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/2/tweets/search/recent", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "localhost", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with twxdata.Client(
                bearer_token="t",
                api_base=f"http://localhost:{port}",  # IPs get no cookies
            ) as client:
                for _ in range(3):
                    await client.request("search_recent_tweets", params={"query": "a"})
        finally:
            await runner.cleanup()

    asyncio.run(main())
    assert seen == [None, None, None]


# ---- 8. rows name their targets --------------------------------------------------------------


def users_with_followers(api: FakeXApi, count: int) -> list[dict]:
    found = []
    for i in range(2_000):
        user = api.corpus.user(i)
        if user["public_metrics"]["followers_count"] >= 5 and not user.get("protected"):
            found.append(user)
            if len(found) == count:
                return found
    raise AssertionError("no users with followers in the corpus")


def test_cli_rows_say_whose_followers_they_are(api, tmp_path):
    a, b = users_with_followers(api, 2)
    out = tmp_path / "f.parquet"
    result = twxdata_cli(api, "followers", "@" + a["username"], b["id"], "--limit", "5",
                         "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(out)
    assert list(frame.columns[:2]) == ["followers_of", "followers_of.username"]
    by_target = frame.groupby("followers_of", dropna=False)["followers_of.username"].first()
    assert by_target[a["id"]] == a["username"] and pd.isna(by_target[b["id"]])


def test_python_frames_carry_the_id_and_the_username_given(api):
    (a,) = users_with_followers(api, 1)

    async def main():
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            edges = await twxdata.fetch_followers(
                ["@" + a["username"]], limit=5, client=client, progress=False
            )
            posts = await twxdata.fetch_timeline([a["id"]], limit=5, client=client, progress=False)
            return edges, posts

    edges, posts = asyncio.run(main())
    assert set(edges["followers_of"]) == {a["id"]}
    assert set(edges["followers_of.username"]) == {a["username"]}
    assert set(posts["timeline_of"]) == {a["id"]}
    assert posts["timeline_of.username"].isna().all()  # given as an id


# ---- 9. no 429 across processes --------------------------------------------------------------


def test_a_new_process_waits_for_the_window_the_last_one_spent(tmp_path):
    # Two requests per 60 s window. The first process spends both; the second, started at once,
    # must wait for the reset instead of drawing a 429. It is stopped once it says it waits.
    with FakeXApi(seed=3, size=3_000, window=60.0, limits=2) as server:
        env = environment(server)
        first = twxdata_cli(server, "search", "the", "--max-results", "10", "--max-pages", "2",
                            "--raw", str(tmp_path / "r.jsonl"), env=env)  # fmt: skip
        assert first.returncode == 0, first.stderr
        second = subprocess.Popen(  # another collection, the same window
            [sys.executable, "-m", "twxdata", "search", "the", "--max-results", "10",
             "--max-pages", "1", "--raw", str(tmp_path / "r2.jsonl")],
            stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        try:
            assert second.stderr is not None
            waited = b""
            for line in second.stderr:
                waited += line
                if b"window spent" in line or second.poll() is not None:
                    break
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(timeout=60)
        assert b"rate-limit window spent; waiting for the reset" in waited, waited
        assert server.stats.rate_limited == 0
        assert server.stats.count("search_recent_tweets") == 2


# ---- 10. one meaning for DIR/, missing folders, names -------------------------------------


def test_a_folder_output_means_one_file_per_table_for_search_and_flatten(api, tmp_path):
    raw = tmp_path / "r.jsonl"
    searched = twxdata_cli(api, "search", "climate", "--limit", "50", "--raw", str(raw),
                           "-o", f"{tmp_path}/new/search/")  # fmt: skip
    assert searched.returncode == 0, searched.stderr
    flattened = twxdata_cli(api, "flatten", str(raw), "-o", f"{tmp_path}/new2/flat/")
    assert flattened.returncode == 0, flattened.stderr
    a = sorted(p.name for p in (tmp_path / "new" / "search").iterdir())
    b = sorted(p.name for p in (tmp_path / "new2" / "flat").iterdir())
    assert a == b and "tweets.parquet" in a
    assert all(pq.read_metadata(tmp_path / "new2" / "flat" / n).num_rows for n in b)


def test_fake_api_takes_tokens_as_in_python():
    text = subprocess.run(
        [sys.executable, "-m", "twxdata", "fake-api", "--help"], capture_output=True, text=True
    ).stdout
    assert "--tokens TOKEN" in text and "tokens= in Python" in " ".join(text.split())


def test_describe_names_the_tables_it_knows():
    with pytest.raises(twxdata.ParameterError, match="did you mean 'tweets'"):
        twxdata.tables.describe("tweet")


# ---- 11. targets from a file ------------------------------------------------------------------


def test_targets_from_a_file_and_from_stdin(api, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("# my queries\n\n#climate\npython\n")
    result = twxdata_cli(api, "counts", "--targets-file", str(queries), "-o",
                         str(tmp_path / "c.csv"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert set(pd.read_csv(tmp_path / "c.csv")["query"]) == {"#climate", "python"}
    (a,) = users_with_followers(api, 1)
    users = f"# accounts\n@{a['username']}  # someone\n{a['id']}\n".encode()
    piped = twxdata_cli(api, "users", "--targets-file", "-", "-o", str(tmp_path / "u.csv"),
                        stdin=users)  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert list(pd.read_csv(tmp_path / "u.csv", dtype=str)["id"]) == [a["id"]]
    empty = twxdata_cli(api, "users", "--targets-file", "-", stdin=b"# nothing\n")
    assert empty.returncode == 2 and b"give at least one USER" in empty.stderr


# ---- what a new user's trial found next -----------------------------------------------------


def test_the_same_command_appends_to_a_dataset_again(api, tmp_path):
    # A daily run of the same search appends that day's posts; only a resumed collection
    # (the same --raw archive) appends just its new pages.
    folder = tmp_path / "ds"
    for _ in range(2):
        result = twxdata_cli(api, "search", "climate", "--limit", "15", "--dataset", folder)
        assert result.returncode == 0, result.stderr
    assert len(pd.read_parquet(folder / "tweets")) == 30
    raw = tmp_path / "r.jsonl"
    for _ in range(2):  # the second run resumes a finished collection: nothing new
        result = twxdata_cli(api, "search", "python", "--limit", "15", "--raw", raw,
                             "--dataset", tmp_path / "ds2")  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert len(pd.read_parquet(tmp_path / "ds2" / "tweets")) == 15


def test_a_refused_target_fails_every_run_until_fixed(api, tmp_path):
    raw = tmp_path / "r.jsonl"
    for _ in range(2):
        result = twxdata_cli(api, "search", "climate (", "climate", "--limit", "10",
                             "--raw", raw, "-o", tmp_path / "o.parquet")  # fmt: skip
        assert result.returncode == 1
        assert "query 'climate (': 400" in result.stderr.decode()


def test_a_target_that_returned_only_errors_fails_the_run(api, tmp_path):
    (a,) = users_with_followers(api, 1)
    api.corpus.protect_user(a["id"])
    try:
        out = tmp_path / "o.parquet"
        result = twxdata_cli(api, "timeline", "@" + a["username"], "-o", out)
        assert result.returncode == 1 and not out.exists()
        text = result.stderr.decode()
        assert f"user {a['username']} ({a['id']}): nothing returned" in text
        assert "nothing collected, no table written" in text
    finally:
        api.corpus.protect_user(a["id"], protected=False)


@pytest.mark.parametrize("start", ["now", "5s"])
def test_a_window_that_ends_before_it_starts_is_refused(api, start):
    sent = api.stats.total
    result = twxdata_cli(api, "counts", "climate", "--start-time", start)
    assert result.returncode == 2 and b"leaves an empty window" in result.stderr
    assert api.stats.total == sent


def test_flatten_of_nothing_writes_nothing(api, tmp_path):
    out = tmp_path / "x.parquet"
    failed_upstream = subprocess.run(
        f"{sys.executable} -m twxdata search 'climate (' -q | "
        f"{sys.executable} -m twxdata flatten - -o {out}",
        shell=True, capture_output=True, env=environment(api), timeout=180,
    )  # fmt: skip
    assert failed_upstream.returncode == 1 and not out.exists()
    assert b"no API responses in the input: nothing written" in failed_upstream.stderr


def test_info_on_a_folder_of_tables_shows_each_table(api, tmp_path):
    result = twxdata_cli(api, "search", "climate", "--limit", "20", "-o", f"{tmp_path}/t/")
    assert result.returncode == 0, result.stderr
    info = twxdata_cli(api, "info", tmp_path / "t").stdout.decode()
    assert "\n  tweets:\n" in info and "\n  users:\n" in info


def test_long_queries_for_access_levels_that_take_them(api):
    query = " OR ".join(["climate"] * 60)  # 659 characters
    refused = twxdata_cli(api, "counts", query)
    assert refused.returncode == 2 and b"--max-query-length" in refused.stderr
    # The option lifts our check; the fake plays a basic access level, so X itself refuses.
    sent = twxdata_cli(api, "counts", query, "--max-query-length", "4096", "-q")
    assert sent.returncode == 1 and b": 400 " in sent.stderr
