"""The offline example of docs/migrating-from-tweepy.md runs and prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
import threading
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "migrating-from-tweepy.md"


def test_the_offline_example_runs() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- run: offline -->\n```python\n(.*?)```", text, re.S)
    assert block is not None
    code = block.group(1)
    expected = re.search(r"print\(.*\)\s+# (.*)\n", code)
    assert expected is not None
    out = io.StringIO()

    def run() -> None:  # asyncio.run needs a thread without a running loop
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), {"__name__": "__doc_example__"})

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert out.getvalue().strip() == expected.group(1).strip()
