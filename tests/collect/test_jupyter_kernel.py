"""The notebook API in a real Jupyter kernel: top-level await, *_sync, progress widgets."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELLS = [
    "from twxdata.testing import FakeXApi\n"
    "api = FakeXApi(seed=1, size=3_000)\n"
    "api.__enter__()  # a background-thread server the kernel's loop can reach",
    "import twxdata\ntwxdata.configure(api_base=api.url, bearer_token=api.bearer_token)",
    "df = await twxdata.fetch_search('python', limit=30)\n"
    "assert len(df) == 30 and df['id'].is_unique\n"
    "df.head(2)",
    "# a *_sync call inside the kernel's running loop must not deadlock\n"
    "again = twxdata.fetch_search_sync('climate', limit=10, progress=False)\n"
    "assert len(again) == 10",
    "c = await twxdata.collect_followers([api.corpus.user(0)['id']], limit=5)\nc",
    "api.__exit__(None, None, None)\ntwxdata.configure(api_base=None, bearer_token=None)",
]


def test_functions_run_in_a_jupyter_kernel():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3")
    client.execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "twxdata Collection" in html  # the Collection's notebook repr
