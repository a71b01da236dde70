"""Never destroy, never leak (issue 14): careless use must not cost data or secrets.

Every case runs the ``twxdata`` command in a subprocess (or the public API) against the fake X
API, and where a user's file is involved, checks its bytes before and after (SHA-256).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

import twxdata
from twxdata.testing import FakeXApi


@pytest.fixture(scope="module")
def api():
    with FakeXApi(seed=14, size=4_000) as server:
        yield server


def environment(api: FakeXApi | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env["TWXDATA_CONFIG_DIR"] = os.environ["TWXDATA_CONFIG_DIR"]
    env["TWXDATA_CACHE_DIR"] = os.environ["TWXDATA_CACHE_DIR"]
    if api is not None:
        env |= {"TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
    return env | extra


def cli(api, *args, env=None, cwd=None, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "twxdata", *map(str, args)],
        capture_output=True,
        env=env or environment(api),
        cwd=cwd,
        input=stdin,
        timeout=180,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_clean_line(result) -> str:
    text = result.stderr.decode()
    assert "Traceback" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def archive(api, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    path = folder / "good.jsonl"
    result = cli(api, "search", "climate", "--limit", "150", "--raw", path, "-q")
    assert result.returncode == 0, result.stderr
    return path


# ---- 1-4. an input is never an output ---------------------------------------------------------


def links_to(target: Path, folder: Path) -> list[Path]:
    """``target`` by another name: a symlink and a hard link."""
    soft, hard = folder / "soft-link.jsonl", folder / "hard-link.jsonl"
    soft.symlink_to(target)
    os.link(target, hard)
    return [target, soft, hard]


def test_dehydrate_never_writes_over_its_input(api, archive, tmp_path):
    copy = tmp_path / "good.jsonl"
    copy.write_bytes(archive.read_bytes())
    before = digest(copy)
    for name in links_to(copy, tmp_path):
        result = cli(api, "dehydrate", copy, "-o", name)
        assert result.returncode == 2
        assert "choose another name" in one_clean_line(result)
    assert digest(copy) == before


@pytest.mark.parametrize("newline", [b"", b"\n"])
def test_raw_never_touches_a_users_file(api, tmp_path, newline):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my notes\nthe last line has no newline" + newline)
    before = digest(notes)
    link = tmp_path / "link.txt"
    link.symlink_to(notes)
    for name in (notes, link):
        result = cli(api, "search", "climate", "--raw", name)
        assert result.returncode == 2
        assert "has no checkpoint" in one_clean_line(result)
        assert digest(notes) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "notes.txt"]


def test_the_same_file_as_raw_and_output_is_refused(api, tmp_path):
    same = tmp_path / "same.csv"
    result = cli(api, "search", "climate", "--limit", "5", "--raw", same, "-o", same)
    assert result.returncode == 2 and "are the same file" in one_clean_line(result)
    assert not same.exists()


def test_flatten_and_hydrate_never_replace_their_input(api, archive, tmp_path):
    data = tmp_path / "data.csv"  # JSONL content under a .csv name
    data.write_bytes(archive.read_bytes())
    before = digest(data)
    assert cli(api, "flatten", data, "-o", data).returncode == 2
    assert digest(data) == before
    ids = tmp_path / "h.csv"
    ids.write_text("id\n" + "\n".join(str(i["id"]) for i in map(api.corpus.tweet, range(5))) + "\n")
    kept = digest(ids)
    result = cli(api, "hydrate", ids, "-o", ids)
    assert result.returncode == 2 and "is the input" in one_clean_line(result)
    assert digest(ids) == kept
    plain = tmp_path / "ids.txt"
    plain.write_text("\n".join(str(i["id"]) for i in map(api.corpus.tweet, range(52))) + "\n")
    result = cli(api, "hydrate", plain, "-o", tmp_path / "x.parquet", "--raw",
                 tmp_path / "x.parquet")  # fmt: skip
    assert result.returncode == 2 and "are the same file" in one_clean_line(result)


def test_the_python_api_refuses_the_same_mistakes(api, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(i["id"]) for i in map(api.corpus.tweet, range(3))) + "\n")

    async def hydrate_over(**kwargs):
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            await twxdata.hydrate(ids, client=client, progress=False, **kwargs)

    with pytest.raises(twxdata.ParameterError, match="raw: must not be the output"):
        asyncio.run(hydrate_over(output=tmp_path / "x.parquet", raw=tmp_path / "x.parquet"))
    with pytest.raises(twxdata.ParameterError, match="is the id list"):
        asyncio.run(hydrate_over(output=tmp_path / "o.parquet", raw=ids))
    assert ids.read_text().count("\n") == 3


@pytest.mark.parametrize("restart", [False, True])
def test_a_folder_as_raw_is_refused_and_never_set_aside(api, tmp_path, restart):
    """The command refused a folder as --raw; Python took it for an archive without a
    checkpoint and, told to restart, renamed the user's folder aside."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")

    async def collect(call, **kwargs):
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            await twxdata.add_stream_rules(["the"], client=client)
            await call(raw=folder, restart=restart, client=client, progress=False, **kwargs)

    for call in (twxdata.collect_stream, twxdata.fetch_stream):
        with pytest.raises(twxdata.ParameterError, match="raw: a file to archive to"):
            asyncio.run(collect(call, limit=1))
    with pytest.raises(twxdata.ParameterError, match="raw: a file to archive to"):
        asyncio.run(collect(twxdata.fetch_search, query="q", max_results=10))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    assert (folder / "notes.txt").read_text() == "mine"


# ---- 5. credentials only over TLS or to loopback -----------------------------------------------


def this_machines_address() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            pytest.skip("no network interface but loopback")
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no network interface but loopback")
    return str(address)


def test_plain_http_to_another_host_is_refused_before_sending(tmp_path):
    address = this_machines_address()
    received: list[bytes] = []
    server = socket.socket()
    server.bind((address, 0))
    server.listen()
    server.settimeout(0.1)
    port = server.getsockname()[1]
    try:
        result = cli(None, "search", "climate", "--api-base", f"http://{address}:{port}",
                     env=environment(TWXDATA_BEARER_TOKEN="SECRET-BEARER-MARKER"))  # fmt: skip
        try:
            connection, _ = server.accept()
            received.append(connection.recv(65536))
            connection.close()
        except TimeoutError:
            pass
    finally:
        server.close()
    assert result.returncode == 2
    line = one_clean_line(result)
    assert "unencrypted" in line and "--insecure-plain-http" in line
    assert received == []  # not even a connection
    with pytest.raises(twxdata.ParameterError, match="unencrypted"):
        twxdata.Client(bearer_token="t", api_base=f"http://{address}:{port}")
    assert twxdata.Client(
        bearer_token="t", api_base=f"http://{address}:{port}", allow_plain_http=True
    ).api_base.startswith("http://")


# ---- 6. no credential in any log, output or file --------------------------------------------

MARKERS = {
    "TWXDATA_CONSUMER_KEY": "CKEYMARKER7",
    "TWXDATA_CONSUMER_SECRET": "CSECRETMARKER7",
    "TWXDATA_ACCESS_TOKEN_SECRET": "ASECRETMARKER7",
}
LOGGING_SCRIPT = """
import asyncio, logging, os, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)  # the user's choice: everything
import twxdata

async def main():
    async with twxdata.Client(api_base=sys.argv[1]) as client:
        page = await client.request("get_me", user_auth=True)
        print(page.data[0]["username"])
        frame = await twxdata.fetch_search("the", limit=20, client=client, raw=sys.argv[2])
        print(len(frame))

asyncio.run(main())
"""


def secrets_in(text: bytes, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s.encode() in text]


def test_no_secret_in_output_logs_or_files_even_at_debug(api, tmp_path):
    user = api.corpus.user(3)["id"]
    access = f"{user}-ATOKENMARKER7"
    env = environment(api, **MARKERS, TWXDATA_ACCESS_TOKEN=access)
    env.pop("TWXDATA_BEARER_TOKEN")
    secrets = [*MARKERS.values(), "ATOKENMARKER7", "BEARERMARKER7"]
    tested = cli(None, "--debug", "configure", "--test", env=env)
    assert tested.returncode == 0, tested.stderr
    assert b"DEBUG" in tested.stderr  # debug logging was really on
    assert secrets_in(tested.stdout + tested.stderr, secrets) == []
    env["TWXDATA_BEARER_TOKEN"] = "BEARERMARKER7"  # searches go with the bearer token
    script = tmp_path / "script.py"
    script.write_text(LOGGING_SCRIPT)
    raw = tmp_path / "r.jsonl"
    ran = subprocess.run(
        [sys.executable, str(script), api.url, str(raw)],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert b"oauthlib" not in ran.stderr or b"DEBUG" in ran.stderr
    assert secrets_in(ran.stdout + ran.stderr, secrets) == []
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    written += [p for p in Path(os.environ["TWXDATA_CACHE_DIR"]).rglob("*") if p.is_file()]
    assert raw in written
    for path in written:
        assert secrets_in(path.read_bytes(), secrets) == [], path


def test_the_users_own_oauthlib_logging_is_left_alone(caplog):
    # Our filter silences oauthlib only while twxdata signs: the user's own calls still log.
    import logging

    from oauthlib.oauth1 import Client as OAuth1Client

    from twxdata.auth import OAuth1User, Secret

    user = OAuth1User(Secret("ck"), Secret("cs"), Secret("1-at"), Secret("as"))
    with caplog.at_level(logging.DEBUG, logger="oauthlib"):
        user.headers("GET", "https://api.x.com/2/users/me")
        assert not [r for r in caplog.records if r.name.startswith("oauthlib")]
        OAuth1Client("mine", client_secret="x").sign("https://example.org/")
        assert [r for r in caplog.records if r.name.startswith("oauthlib")]


# ---- 7. one writer per archive --------------------------------------------------------------


def start_waiting_collection(api: FakeXApi, raw: Path, env: dict[str, str]):
    """A collection that has written a page and is waiting for the rate-limit reset."""
    process = subprocess.Popen(
        [sys.executable, "-m", "twxdata", "search", "the", "--max-results", "10",
         "--raw", str(raw), "-o", str(raw.with_suffix(".parquet"))],
        stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stderr is not None
    seen = b""
    for line in process.stderr:
        seen += line
        if b"window spent" in line:
            return process, seen
    raise AssertionError(f"the collection never waited: {seen!r}")


def test_a_second_writer_is_refused_naming_the_first(tmp_path):
    with FakeXApi(seed=7, size=3_000, window=60.0, limits=2) as server:
        env = environment(server)
        raw = tmp_path / "r.jsonl"
        first, _ = start_waiting_collection(server, raw, env)
        try:
            second = cli(server, "search", "the", "--max-results", "10", "--raw", raw, env=env)
            assert second.returncode == 1
            assert f"in use by process {first.pid}" in one_clean_line(second)
        finally:
            first.send_signal(signal.SIGINT)
            first.wait(timeout=60)
        lines = raw.read_bytes().splitlines()
        tokens = [orjson.loads(line)["__twxdata"]["params"].get("next_token") for line in lines]
        assert len(tokens) == len(set(tokens)) == server.stats.count("search_recent_tweets")


# ---- 8. outputs whole or absent ---------------------------------------------------------------


def test_an_interrupted_run_writes_no_partial_table_and_says_where_the_data_is(tmp_path):
    with FakeXApi(seed=8, size=3_000, window=8.0, limits=2) as server:
        env = environment(server)
        out = tmp_path / "o.parquet"
        process = subprocess.Popen(
            [sys.executable, "-m", "twxdata", "search", "the", "--max-results", "10",
             "--max-pages", "3", "-o", str(out)],
            stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert process.stderr is not None
        for line in process.stderr:
            if b"window spent" in line:
                break
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read().decode()
        process.wait(timeout=60)
        assert process.returncode == 130
        assert not out.exists() and not list(tmp_path.iterdir())
        assert f"nothing written to -o {out}" in rest
        spool = Path(re.search(r"are kept in (\S+): run the same command again", rest)[1])
        assert len(spool.read_bytes().splitlines()) == 2
        assert "Traceback" not in rest
        # What the message says: the same command continues from there (no page asked twice)
        # and removes the spool once the table is written.
        again = cli(server, "search", "the", "--max-results", "10", "--max-pages", "3",
                    "-o", out, env=env)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert b"resuming: 2 pages" in again.stderr and not spool.exists()
    assert len(twxdata.read_parquet(out)) == 30


def test_a_partial_collection_says_so_in_its_provenance_and_info(api, tmp_path):
    async def main():
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            return await twxdata.collect_search(
                ["climate", "climate ("], limit=20, client=client, progress=False
            )

    with pytest.warns(twxdata.collect.call.PartialErrors):
        collection = asyncio.run(main())
    written = collection.to_parquet(tmp_path / "out")
    provenance = twxdata.read_parquet(written[0]).attrs["twxdata"]
    assert provenance["complete"] is False
    assert "1 of 2 targets failed: climate (" in provenance["incomplete"][0]
    info = cli(api, "info", written[0])
    assert b"complete: False" in info.stdout and b"targets failed" in info.stdout


# ---- 9. no traceback for junk, ever ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["search", "q", "--timeout", "inf"], 2),
        (["search", "q", "--timeout", "0"], 2),
        (["search", "q", "--backoff", "-3"], 2),
        (["search", "q", "--backoff", "nan"], 2),
        (["search", "q", "--api-base", "http://127.0.0.1:99999"], 2),
        (["search", "q", "--raw", "{tmp}"], 2),
        (["search", "q", "--raw", ""], 2),
        (["stream", "--raw", "", "--limit", "1"], 2),
        (["search", b"clim\xffate"], 2),
        (["fake-api", "--port", "70000"], 2),
    ],
)
def test_bad_options_are_one_line_and_exit_2(api, tmp_path, args, status):
    sent = api.stats.total
    argv = [a.replace("{tmp}", str(tmp_path)) if isinstance(a, str) else a for a in args]
    result = cli(api, *[os.fsdecode(a) if isinstance(a, bytes) else a for a in argv])
    assert result.returncode == status
    lines = result.stderr.decode().strip().splitlines()
    assert "error:" in lines[0] and len(lines) <= 2  # argparse adds where to find --help
    assert b"Traceback" not in result.stderr
    assert api.stats.total == sent


def test_a_lone_surrogate_in_python_is_a_parameter_error(api):
    async def main():
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            await twxdata.fetch_search("a\udc80b", limit=10, client=client, progress=False)

    with pytest.raises(twxdata.ParameterError, match="query: holds a character"):
        asyncio.run(main())


def test_damaged_files_are_one_line_naming_the_file(api, archive, tmp_path):
    packed = tmp_path / "a.jsonl.gz"
    packed.write_bytes(gzip.compress(archive.read_bytes()))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed.read_bytes()[:3000])
    info, plain = cli(api, "info", packed), cli(api, "info", archive)
    assert info.returncode == 0 and plain.returncode == 0  # gzip read as flatten reads it
    rows = [line for line in plain.stdout.splitlines() if line.strip().startswith(b"rows:")]
    assert rows and rows[0] in info.stdout.splitlines()
    for args in (["flatten", cut, "-o", tmp_path / "x.parquet"],
                 ["dehydrate", cut, "-o", tmp_path / "x.txt"], ["info", cut]):  # fmt: skip
        result = cli(api, *args)
        assert result.returncode == 1 and "cut.jsonl.gz: damaged or truncated" in one_clean_line(
            result
        )
    for name, data in {"bin.txt": b"\xff\xfe1\x002\x00\n", "junk.txt": os.urandom(300)}.items():
        (tmp_path / name).write_bytes(data)
        result = cli(api, "hydrate", tmp_path / name, "-o", tmp_path / f"{name}.parquet")
        assert result.returncode == 1 and name in one_clean_line(result)
    raw = tmp_path / "r.jsonl"
    assert cli(api, "search", "the", "--limit", "5", "--raw", raw, "-q").returncode == 0
    checkpoint = raw.with_name("r.jsonl.checkpoint.json")
    for junk in ({"streams": [1]}, {"streams": {"the": {"token": 5}}}, {"spec": "x"}, []):
        record = orjson.loads(checkpoint.read_bytes())
        record = junk if isinstance(junk, list) else {**record, **junk}
        checkpoint.write_bytes(orjson.dumps(record))
        for args in (["info", raw], ["search", "the", "--limit", "5", "--raw", raw]):
            result = cli(api, *args)
            assert result.returncode == 1
            assert "not a usable twxdata checkpoint" in one_clean_line(result)


def test_a_failed_write_into_new_folders_leaves_no_folder(api, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"data": []}\n{"data": [\n')
    result = cli(api, "flatten", bad, "-o", f"{tmp_path}/new/sub/")
    assert result.returncode == 1 and "bad.jsonl:2" in one_clean_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]
