"""``--storage-option`` on every verb that reads archives: malformed, or given for local
files only, is one line and exit status 2 before anything is read or written."""

from __future__ import annotations

import pytest

from twxdata.cli import main


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["info", "{a}", "--storage-option", "anon=true"], "--storage-option is for URLs"),
        (["info", "{a}", "--storage-option", "anon"], "give KEY=VALUE"),
        (["dehydrate", "{a}", "-o", "{out}", "--storage-option", "anon=true"], "is for URLs"),
        (["hydrate", "{a}", "-o", "{out}", "--storage-option", "=1"], "give KEY=VALUE"),
    ],
)
def test_storage_options_that_cannot_apply_are_refused(tmp_path, capsys, argv, says):
    archive = tmp_path / "a.jsonl"
    archive.write_text('{"data": [{"id": "1", "text": "x"}]}\n')
    out = tmp_path / "out.txt"
    argv = [a.format(a=archive, out=out) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]
