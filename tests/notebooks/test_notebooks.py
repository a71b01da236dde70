"""The example notebooks: stored without outputs, and each runs top to bottom offline.

Each runs in a real Jupyter kernel (nbclient) in a temporary folder, with no credentials in
the environment and ``TWXDATA_API_BASE`` aimed at a closed port, so anything not sent to the
fake API the notebook starts fails at once instead of reaching the network.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.shared import assert_ignored_by_git

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib", reason="the notebooks plot: pip install -e '.[notebooks]'")
pytest.importorskip("networkx", reason="02-networks needs networkx: pip install -e '.[notebooks]'")

from twxdata.testing.server import DEFAULT_TOKEN  # noqa: E402

FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
CREDENTIAL_VARS = (
    "TWXDATA_BEARER_TOKEN",
    "TWXDATA_CONSUMER_KEY",
    "TWXDATA_CONSUMER_SECRET",
    "TWXDATA_ACCESS_TOKEN",
    "TWXDATA_ACCESS_TOKEN_SECRET",
)


def test_the_three_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == ["01-quickstart", "02-networks", "03-reproducibility"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_stripped(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert "widgets" not in notebook.metadata  # no widget state, with or without secrets
    assert "USE_FAKE_API = True" in notebook.cells[1].source  # the one line to change


def outputs(notebook):
    return [o for cell in notebook.cells for o in cell.get("outputs", [])]


def widget_models(notebook):
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return list(state.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_offline_top_to_bottom(path, tmp_path, monkeypatch):
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWXDATA_API_BASE", "http://127.0.0.1:9")  # a closed port
    monkeypatch.setenv("TWXDATA_CONFIG_DIR", str(tmp_path / "config"))  # nothing saved
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    client.execute()  # raises CellExecutionError at the first error cell
    found = outputs(notebook)
    assert not [o for o in found if o.output_type == "error"]
    data = [o.get("data", {}) for o in found]
    assert any("image/png" in d for d in data), "no plot"
    assert any("<table" in str(d.get("text/html", "")) for d in data), "no table"
    # The credential widget and tqdm's progress bar render as notebook widgets; the bar's
    # text shows pages (and partial errors when there were any).
    models = widget_models(notebook)
    texts = [str(m["state"].get("value", "")) for m in models if m["model_name"] == "HTMLModel"]
    assert any("X API credentials" in t for t in texts)
    assert any("\u2007pages" in t for t in texts), "no progress bar widget"
    passwords = [m["state"]["value"] for m in models if m["model_name"] == "PasswordModel"]
    assert len(passwords) >= 5 and not any(passwords)
    # The token handed to the widget in code reaches no output and no widget state.
    assert DEFAULT_TOKEN not in nbformat.writes(notebook)
    # What it wrote where it ran would not show up as untracked files in a checkout.
    written = [p.relative_to(tmp_path) for p in tmp_path.iterdir() if p.name != "config"]
    assert_ignored_by_git([f"notebooks/{p}" + ("/" if (tmp_path / p).is_dir() else "")
                           for p in written])  # fmt: skip

