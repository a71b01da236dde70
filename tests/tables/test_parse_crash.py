"""Inputs that made Arrow's JSON reader (pyarrow 26.0.1) crash the process or build invalid arrays.

A segfault is no exception pytest can catch: each case runs in a child process, so a crash
fails its test instead of ending the run.

1. A top-level ``null`` as the first value the reader sees kills it (SIGSEGV). Halving a chunk
   whose lines mix pages and a ``null`` (``parse._bisect``) handed it ``b"null\\n{...}"``:
   ``twxdata flatten`` died in ``parse._read`` under tests/test_cli_fuzz.py, whose examples
   change with the constants Hypothesis collects from the source, hence "intermittent".
2. Nulls leading a list (``[null, {...}]``) give a list whose offsets run past its values
   (apache/arrow#51305). Where ``conform`` cast nothing, nothing checked it, and the invalid
   arrays went on to the builders (read out of bounds, or a traceback from ``flatten``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PAGE_1 = b'{"data": [{"id": "1", "text": "a"}]}'
PAGE_3 = b'{"data": [{"id": "3", "text": "c"}]}'


def _child(code: str, data: bytes, cwd: Path) -> Any:
    """Run ``code`` in a fresh interpreter with ``data`` on stdin; what it prints, as JSON."""
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", code],
        input=data,
        capture_output=True,
        cwd=cwd,
        timeout=120,
    )
    assert proc.returncode == 0, (
        f"child exited with {proc.returncode} (negative: killed by that signal)\n"
        + proc.stderr.decode("utf-8", "replace")[-3000:]
    )
    return json.loads(proc.stdout)


READ = """
import json, sys
import pyarrow as pa
from twxdata.tables.parse import read_pages
data = sys.stdin.buffer.read()
out = []
for strict in (False, True):
    for d in (data, memoryview(bytearray(data))):
        try:
            read_pages(d, strict=strict)
            out.append("read")
        except pa.ArrowInvalid:
            out.append("ArrowInvalid")
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    "data", [b"null", b"null\n", b" \t\r\n null\n" + PAGE_1, b"nullx", b"null\r\n{}\n"]
)
def test_a_leading_null_is_refused_before_the_reader_sees_it(tmp_path: Path, data: bytes) -> None:
    assert _child(READ, data, tmp_path) == ["ArrowInvalid"] * 4


def test_blank_data_still_reads_as_no_pages(tmp_path: Path) -> None:
    code = "import sys\nfrom twxdata.tables.parse import read_pages\n"
    code += "print(read_pages(sys.stdin.buffer.read()).num_rows)"
    assert _child(code, b" \n\r\n\t", tmp_path) == 0


PARSE = """
import json, sys
from twxdata.tables.lines import Chunk, ErrorPolicy
from twxdata.tables.parse import parse_chunk
data = sys.stdin.buffer.read()
policy = ErrorPolicy("skip")
rows = parse_chunk(Chunk(data, "in", 1), policy)
if rows is not None:
    rows.table.validate(full=True)
print(json.dumps({
    "lines": None if rows is None else rows.lines.tolist(),
    "skipped": [e.line for e in policy.skipped],
}))
"""

FLATTEN = """
import json, sys
from twxdata.cli import main
with open("in.jsonl", "wb") as f:
    f.write(sys.stdin.buffer.read())
status = main(["flatten", "in.jsonl", "-o", "out/"])
print(json.dumps(status))
"""


def test_a_null_line_between_pages_is_reported_not_fatal(tmp_path: Path) -> None:
    # [page, null, page] halves into [page] and [null, page]: the second read started with null.
    data = PAGE_1 + b"\nnull\n" + PAGE_3 + b"\n"
    assert _child(PARSE, data, tmp_path) == {"lines": [1, 3], "skipped": [2]}
    assert _child(FLATTEN, data, tmp_path) == 1  # on_error="raise": line 2 is the error


# Unknown to conform's casts (their inferred types are the documented ones): nothing else
# checked these arrays.
UNCAST = [
    b'{"title": "x", "__extra": [null, {"key": "a", "value": "b"}]}',
    b'{"title": "x", "matching_rules": [null, null, {"id": "1", "tag": "t"}]}',
]
CAST = [
    b'{"data": [null, {"id": "1", "text": "hi"}]}',
    b'{"data": [{"id": "1", "text": "hi", "edit_history_tweet_ids": [null, "1"]}]}',
]


@pytest.mark.parametrize("line", UNCAST + CAST)
def test_nulls_leading_a_list_never_leave_parsing_as_invalid_arrays(
    tmp_path: Path, line: bytes
) -> None:
    data = PAGE_1 + b"\n" + line + b"\n"
    assert _child(PARSE, data, tmp_path)["lines"] == [1, 2]  # validated in full in the child


@pytest.mark.parametrize("line", UNCAST)
def test_pages_with_nulls_leading_a_list_flatten_to_every_table(
    tmp_path: Path, line: bytes
) -> None:
    # Before, the pages table's builder met the invalid list: a traceback, not a status.
    assert _child(FLATTEN, PAGE_1 + b"\n" + line + b"\n", tmp_path) == 0
