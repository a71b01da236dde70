"""The filtered stream's rules, end to end against the fake X API: its answers (as X's),
the Python functions, and ``twxdata stream rules`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import aiohttp
import pytest

from twxdata.client import Client
from twxdata.collect.rules import (
    RulesRefused,
    add_stream_rules,
    delete_stream_rules,
    stream_rules,
    sync_stream_rules,
)
from twxdata.errors import ParameterError
from twxdata.protocol.retry import RetryPolicy
from twxdata.protocol.rules import Rule, read_answer, rules_plan, to_rules
from twxdata.testing import FakeXApi

RULES = "/2/tweets/search/stream/rules"


@pytest.fixture
def api():
    with FakeXApi(seed=5, size=500) as server:  # each test: an app with no rule yet
        yield server


@pytest.fixture
async def client(api):
    async with Client(bearer_token=api.bearer_token, api_base=api.url,
                      retry=RetryPolicy(backoff_base=0.01)) as made:  # fmt: skip
        yield made


async def raw(api: FakeXApi, method: str, query: str = "", body: object = None) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, f"{api.url}{RULES}{query}", json=body,
                                   headers=api.headers()) as response:  # fmt: skip
            assert response.status == 200, await response.text()
            return await response.json()


async def test_the_fake_answers_as_x_does(api):
    empty = await raw(api, "GET")
    assert "data" not in empty and empty["meta"]["result_count"] == 0 and empty["meta"]["sent"]
    add = {"add": [{"value": "climate lang:en", "tag": "c"}, {"value": "#COP30"}]}
    checked = await raw(api, "POST", "?dry_run=true", add)
    assert checked["meta"]["summary"] == {"created": 0, "not_created": 2, "valid": 2, "invalid": 0}
    assert (await raw(api, "GET"))["meta"]["result_count"] == 0  # a dry run changes nothing
    made = await raw(api, "POST", "", add)
    assert [r["value"] for r in made["data"]] == ["climate lang:en", "#COP30"]
    assert made["data"][0]["tag"] == "c" and "tag" not in made["data"][1]
    # One invalid rule: none is added; a duplicate is reported, the others are added.
    refused = await raw(api, "POST", "", {"add": [{"value": "flood"}, {"value": "from:"}]})
    assert "data" not in refused and refused["meta"]["summary"]["invalid"] == 1
    assert refused["errors"][0]["title"] == "UnprocessableEntity"
    again = await raw(api, "POST", "", {"add": [{"value": "#COP30"}, {"value": "drought"}]})
    assert [r["value"] for r in again["data"]] == ["drought"]
    assert again["errors"][0]["title"] == "DuplicateRule"
    first = await raw(api, "GET", "?max_results=2")
    assert first["meta"]["result_count"] == 2 and len(first["meta"]["next_token"]) == 16
    rest = await raw(api, "GET", f"?max_results=2&pagination_token={first['meta']['next_token']}")
    assert [r["value"] for r in rest["data"]] == ["drought"] and "next_token" not in rest["meta"]
    gone = await raw(api, "POST", "", {"delete": {"ids": [made["data"][0]["id"], "1"]}})
    assert gone["meta"]["summary"] == {"deleted": 1, "not_deleted": 1}
    assert gone["errors"][0]["title"] == "RuleNotFound"
    assert (await raw(api, "POST", "?delete_all=true"))["meta"]["summary"]["deleted"] == 2
    assert api.billing.spent == 0 and api.billing.requests == 0  # rules read no post: free


def test_a_sync_plan_keeps_same_rules_and_replaces_a_changed_tag():
    current = [Rule("a", None, "1"), Rule("b", "x", "2"), Rule("c", None, "3")]
    plan = rules_plan(current, [Rule("a"), Rule("b", "y"), Rule("d")])
    assert [r.id for r in plan.kept] == ["1"] and [r.id for r in plan.delete] == ["2", "3"]
    assert [r.key for r in plan.add] == [("b", "y"), ("d", None)]
    assert plan.lines() == ["- b  (tag: x)  [id 2]", "- c  [id 3]", "+ b  (tag: y)", "+ d"]


@pytest.mark.parametrize("given", [[], [""], ["  "], [3], ["a", "a"], [("a",)]])
def test_careless_rules_are_refused_before_any_request(given):
    with pytest.raises(ParameterError, match="rules"):
        to_rules(given)


def test_an_answer_tells_added_refused_and_duplicates_apart():
    asked = [Rule("a"), Rule("from:"), Rule("b")]
    answer = read_answer({"errors": [
        {"value": "from:", "details": ["needs a value"], "title": "UnprocessableEntity"},
        {"value": "b", "id": "9", "title": "DuplicateRule"},
    ], "data": [{"id": "7", "value": "a"}]}, asked)  # fmt: skip
    assert [r.id for r in answer.added] == ["7"]
    assert answer.invalid == ((Rule("from:"), "needs a value"),)
    assert answer.duplicates == (Rule("b", None, "9"),)


async def test_add_list_delete_and_sync_from_python(client):
    added = await add_stream_rules(["climate lang:en", ("#COP30", "cop")], tag="c", client=client)
    assert [r.key for r in added] == [("climate lang:en", "c"), ("#COP30", "cop")]
    assert all(r.id for r in added)
    assert await add_stream_rules("climate lang:en", tag="c", client=client) == []  # there
    with pytest.raises(RulesRefused, match="'from:'") as refused:
        await add_stream_rules(["drought", "from:"], client=client)
    assert [rule.value for rule, _ in refused.value.invalid] == ["from:"]
    assert await stream_rules(client=client) == added  # nothing was added
    # A sync with a rule X refuses deletes nothing either.
    with pytest.raises(RulesRefused):
        await sync_stream_rules(["from:"], client=client)
    assert await stream_rules(client=client) == added
    plan = await sync_stream_rules([("climate lang:en", "c"), "drought"], client=client)
    assert [r.value for r in plan.add] == ["drought"] and plan.add[0].id
    assert [r.value for r in plan.delete] == ["#COP30"]
    assert [r.key for r in await stream_rules(client=client)] == [
        ("climate lang:en", "c"), ("drought", None)]  # fmt: skip
    assert await delete_stream_rules(all=True, dry_run=True, client=client) == 2
    assert await delete_stream_rules(plan.add, client=client) == 1
    assert await delete_stream_rules(all=True, client=client) == 1
    assert await stream_rules(client=client) == []
    with pytest.raises(ParameterError, match="ids"):
        await delete_stream_rules(["x1"], client=client)


def twxdata(api: FakeXApi, *args: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {"TWXDATA_CONFIG_DIR": os.environ["TWXDATA_CONFIG_DIR"],
            "TWXDATA_CACHE_DIR": os.environ["TWXDATA_CACHE_DIR"],
            "TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "twxdata", "stream", "rules", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def test_the_command_adds_lists_syncs_and_deletes(api, tmp_path):
    added = twxdata(api, "add", "climate lang:en", "#COP30", "--tag", "climate")
    assert added.returncode == 0 and "added 2" in added.stderr, added.stderr
    listed = twxdata(api, "list", "--json")
    rules = json.loads(listed.stdout)
    assert [(r["value"], r["tag"]) for r in rules] == [("climate lang:en", "climate"),
                                                       ("#COP30", "climate")]  # fmt: skip
    saved = tmp_path / "rules.json"
    saved.write_text(listed.stdout)
    same = twxdata(api, "sync", saved)  # what list --json printed: nothing to change
    assert same.returncode == 0 and same.stdout == ""
    assert "added 0, deleted 0, kept 2" in same.stderr
    wanted = tmp_path / "rules.txt"
    wanted.write_text("# what we follow\nclimate lang:en\ndrought\n")
    shown = twxdata(api, "sync", wanted, "--dry-run")
    assert shown.stdout.splitlines() == [
        f"- climate lang:en  (tag: climate)  [id {rules[0]['id']}]",
        f"- #COP30  (tag: climate)  [id {rules[1]['id']}]",
        "+ climate lang:en", "+ drought",
    ]  # fmt: skip
    assert len(json.loads(twxdata(api, "list", "--json").stdout)) == 2  # unchanged
    done = twxdata(api, "sync", wanted)
    assert done.returncode == 0 and done.stdout == shown.stdout  # shown first, then done
    values = [r["value"] for r in json.loads(twxdata(api, "list", "--json").stdout)]
    assert sorted(values) == ["climate lang:en", "drought"]
    gone = twxdata(api, "delete", "--all")
    assert gone.returncode == 0 and "deleted 2" in gone.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["add", "from:"], "X refused 1 rule, so nothing was changed: 'from:'"),
        (["add", ""], "RULE"),
        (["delete"], "give rule ids"),
        (["delete", "12", "--all"], "give rule ids"),
        (["delete", "abc"], "ID 'abc'"),
        (["sync", "missing.txt"], "no such file"),
        (["sync", "empty.txt"], "holds no rule"),
        (["sync", "bad.json"], "not valid JSON"),
        (["sync", "bad.jsonl"], "line 3 is not JSON"),
        (["sync", "twice.txt"], "given twice"),
        (["sync", "."], "is a folder"),
    ],
)
def test_careless_uses_are_one_line_and_exit_2(api, tmp_path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.txt").write_text("# nothing yet\n")
    (tmp_path / "bad.json").write_text("[{")
    (tmp_path / "bad.jsonl").write_text('\n{"value": "a"}\n{oops\n')
    (tmp_path / "twice.txt").write_text("a\na\n")
    before = api.stats.total
    result = twxdata(api, *args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and says in lines[0], result.stderr
    assert lines[0].startswith("twxdata stream rules: error: ")  # the verb as typed
    if args[0] != "add" or args[1] == "":  # only X can tell a bad query: one dry run
        assert api.stats.total == before
    assert twxdata(api, "list", "--json").stdout.strip() == "[]"  # nothing changed


def test_without_credentials_nothing_is_sent(api, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {"TWXDATA_CONFIG_DIR": str(tmp_path), "TWXDATA_CACHE_DIR": str(tmp_path),
            "TWXDATA_API_BASE": api.url}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "twxdata", "stream", "rules", "list"],
                            capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert api.stats.total == 0


def test_no_action_prints_the_usage(api):
    result = twxdata(api)
    assert result.returncode == 2 and "usage: twxdata stream rules" in result.stderr


async def test_a_retried_request_whose_answer_was_lost_counts_right(api, client):
    # X made the change, the answer never arrived, the client sent it again: what the call
    # says it did comes from the app's rules, not from the second answer ("duplicate").
    api.inject("drop", 1, "update_rules")  # the dry run's answer is lost: harmless
    api.inject("drop", 1, "update_rules")
    added = await add_stream_rules(["flood", "drought"], client=client)
    assert [r.value for r in added] == ["flood", "drought"]
    api.inject("drop", 1, "update_rules")
    assert await delete_stream_rules([added[0].id], client=client) == 1


async def test_a_sync_that_fails_midway_never_leaves_fewer_rules(client, monkeypatch):
    await add_stream_rules(["old one", "kept"], client=client)
    real = client.request

    async def failing(endpoint, **kwargs):
        if "delete" in (kwargs.get("body") or {}):
            raise ConnectionError("the network went away")
        return await real(endpoint, **kwargs)

    monkeypatch.setattr(client, "request", failing)
    with pytest.raises(ConnectionError):
        await sync_stream_rules(["kept", "new one"], client=client)
    monkeypatch.setattr(client, "request", real)
    values = sorted(r.value for r in await stream_rules(client=client))
    assert values == ["kept", "new one", "old one"]  # added first; nothing lost
    plan = await sync_stream_rules(["kept", "new one"], client=client)  # run again: done
    assert [r.value for r in plan.delete] == ["old one"] and plan.add == ()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('\ufeff[{"value": "a", "tag": "t"}]', None),  # a byte order mark
        ('[\n  {\n    "value": "a",\n    "tag": "t"\n  }\n]\n', None),  # pretty-printed
        ('{"rules": [{"value": "a"}]}', "a JSON object, not a list"),
        ('[{"value": "a", "tga": "t"}]', "not 'tga'"),
        ('[{"value": "a", "tag": ""}]', "tag must be a non-empty"),
        ('[{"value": "x", "tag": "a"}, {"value": "x", "tag": "b"}]', "given twice"),
        ("[\n{oops\n", "not valid JSON"),
        ("x\n  # a comment, indented\n#COP30\n", None),
    ],
)
def test_rule_files_are_read_as_meant_or_refused_in_one_line(api, tmp_path, content, says):
    path = tmp_path / "rules"
    path.write_text(content, encoding="utf-8")
    result = twxdata(api, "sync", path, "--dry-run")
    if says is None:
        assert result.returncode == 0, result.stderr
        assert all(line.startswith("+ ") for line in result.stdout.splitlines())
        assert not any("{" in line or "\ufeff" in line for line in result.stdout.splitlines())
    else:
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and says in lines[0], result.stderr


def test_the_command_says_what_it_did_not_do(api):
    assert twxdata(api, "add", "#COP30", "--tag", "cop").returncode == 0
    again = twxdata(api, "add", "#COP30", "--tag", "other")
    assert again.returncode == 0 and "already a rule, tagged 'cop'" in again.stderr
    unknown = twxdata(api, "delete", "123")
    assert unknown.returncode == 0 and "no rule 123" in unknown.stderr
    assert "deleted 0" in unknown.stderr
    odd = twxdata(api, "delete", "²")
    assert odd.returncode == 2 and "rule ids are numbers" in odd.stderr
