"""The command's frame: every verb is found where VERB_HOMES says, and only it is loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from twxdata.cli import VERB_HOMES, VERB_MODULES, build_parser


def verbs_of(parser):
    action = next(a for a in parser._actions if a.dest == "verb")
    return set(action.choices)


def test_the_full_parser_has_exactly_the_mapped_verbs():
    assert verbs_of(build_parser()) == set(VERB_HOMES)
    assert set(VERB_HOMES.values()) == set(VERB_MODULES)


@pytest.mark.parametrize("verb", sorted(VERB_HOMES))
def test_each_verb_is_registered_by_its_home_module(verb):
    assert verb in verbs_of(build_parser([verb, "--help"][:1]))


def test_flatten_does_not_load_the_network_stack():
    code = (
        "import sys; from twxdata.cli import build_parser; build_parser(['flatten']); "
        "print('aiohttp' in sys.modules, 'twxdata.auth' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_whole_flatten_run_loads_neither_pandas_nor_the_network_stack(tmp_path):
    # pandas alone costs a fifth of a second and 35 MB: flatten writes Arrow, never pandas.
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"data": [{"id": "1", "text": "hi", "author_id": "9", "created_at": '
        b'"2024-05-01T00:00:00.000Z"}], "includes": {"users": [{"id": "9", "username": "a"}]},'
        b' "__twxdata": {"endpoint": "search_recent_tweets", "params": {"query": "hi"},'
        b' "retrieved_at": "2024-05-01T00:00:01.000000Z"}}\n'
    )
    args = ["flatten", str(source), "-o", f"{tmp_path / 'out'}/", "-q"]
    code = (
        f"import sys; from twxdata.cli import main; status = main({args!r}); "
        "print(status, 'pandas' in sys.modules, 'aiohttp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False", "False"]
