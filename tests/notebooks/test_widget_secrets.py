"""No secret reaches the notebook file after the credential widget is used.

A notebook types credentials into the widget from Python (as a browser sets the fields),
clicks Test, Use and Save, collects, and then tries to show everything it can; it is executed
in a real kernel with widget state saved into the file, as JupyterLab can do. The secrets must
not appear anywhere in the written .ipynb — outputs, widget state, metadata — while a canary
typed into an ordinary text widget does, proving the state was saved and searched.
"""

from __future__ import annotations

import os
import stat

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipywidgets")

BEARER = "AAAAbearerSECRET0001"
KEYS = {
    "consumer_key": "ckSECRET0002",
    "consumer_secret": "csSECRET0003",
    "access_token": "12-atSECRET0004",
    "access_token_secret": "atsSECRET0005",
}
SECRETS = [BEARER, *KEYS.values(), "clientSECRET0006"]
CANARY = "CANARY-in-an-ordinary-text-widget"

FIELD_VARS = {"bearer_token": "T_BEARER", **{k: f"T_{k.upper()}" for k in KEYS}}

# The secrets reach the kernel as environment variables, so not even the cells' source holds
# them and the whole written file can be searched.
CELLS = [
    "import os, twxdata, ipywidgets\n"
    "from twxdata.testing import FakeXApi\n"
    "api = FakeXApi(seed=4, size=2_000).start_in_thread()",
    "form = twxdata.widgets.credentials(api_base=api.url)\nform",
    # what a person types, then the Test button
    "".join(f"form.fields[{k!r}].value = os.environ[{v!r}]\n" for k, v in FIELD_VARS.items())
    + "form.test_button.click()\nawait form.wait()\nprint(form.status.value)",
    "assert '@' in form.status.value and 'OAuth 1.0a: @' in form.status.value\n"
    "form.use_button.click()\nform.save_button.click()\nprint(form.status.value)",
    "df = await twxdata.fetch_search('python', limit=20)\ndf.head(3)",
    # the PKCE section: a client secret typed, then the authorize link
    "form.client_id.value = 'my-client-id'\n"
    "form.client_secret.value = os.environ['T_CLIENT_SECRET']\n"
    "form.authorize_button.click()\nprint(form.authorize_link.value[:40])",
    # everything a curious user might display
    "from twxdata.collect.defaults import settings\n"
    "print(form.session, settings(), twxdata.default_client())\n"
    "form.session",
    f"ipywidgets.Text(value={CANARY!r})",
    "api.stop_thread()",
]


def test_no_secret_reaches_the_notebook_file(tmp_path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("TWXDATA_CONFIG_DIR", str(config))
    for name, value in zip([*FIELD_VARS.values(), "T_CLIENT_SECRET"], SECRETS, strict=True):
        monkeypatch.setenv(name, value)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    client.execute()
    path = tmp_path / "used-widget.ipynb"
    nbformat.write(notebook, path)
    saved = path.read_text()
    assert CANARY in saved and "PasswordModel" in saved  # widget state was saved and searched
    for secret in SECRETS:
        assert secret not in saved, f"a secret reached the notebook file: …{secret[-4:]}"
    text = "".join(str(o) for c in notebook.cells for o in c.get("outputs", []))
    assert "bearer token: @" in text and "saved to" in text  # the actions did run
    # The one place the secrets are written: the private credentials file.
    written = config / "credentials.json"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o700
    assert BEARER in written.read_text() and SECRETS[-1] not in written.read_text()
