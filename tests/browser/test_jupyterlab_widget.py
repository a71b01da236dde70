"""A real browser: JupyterLab serves 01-quickstart to headless Chromium, driven by Playwright.

The test runs the notebook's first cells (the fake API and the credential widget), types a
token into the widget's bearer-token field, presses Test and waits for the fake API's answer,
``@username (id)``, on the page. Then it saves the notebook with widget state (JupyterLab's
"save widget state" setting on) and checks the typed token is not in the file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TWXDATA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01-quickstart.ipynb"
TYPED = "typed-in-the-browser-7c1f"
SETTINGS = {  # JupyterLab user settings for the run
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},  # widget state in file
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},  # no dialog
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},  # offline
}
KERNEL_IDLE = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const session = widget && widget.sessionContext && widget.sessionContext.session;
    return Boolean(session && session.kernel && session.kernel.status === "idle");
}"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no {CHROMIUM}: apt-get install -y chromium"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright missing: pip install -e '.[browser]'",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("jupyterlab") is None,
        reason="jupyterlab missing: pip install -e '.[browser]'",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_server(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"jupyter lab did not answer {url} in {timeout:.0f} s")


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on a free loopback port, in its own folders, with a copy of the notebook."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    for plugin, values in SETTINGS.items():
        path = tmp_path / "settings" / f"{plugin.replace(':', '/')}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), os.urandom(12).hex()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "TWXDATA_CONFIG_DIR": str(tmp_path / "twxdata-config"),
    }
    for name in list(env):
        if name.startswith("TWXDATA_") and name != "TWXDATA_CONFIG_DIR":
            del env[name]
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--expose-app-in-browser", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # never asks PyPI from the browser
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI runs as root in a throwaway machine
        command.append("--allow-root")
    log = (tmp_path / "jupyter.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    try:
        wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", process)
        yield f"http://127.0.0.1:{port}", token, root
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the server and the kernels it started
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def expected_account() -> re.Pattern[str]:
    """The account the notebook's fake API answers for TYPED (same seed and size). Its
    username only: ids are snowflakes dated by the corpus, which ends at the hour the fake
    starts, and the kernel's fake may start in the next hour than this one."""
    from twxdata.testing import FakeXApi

    source = "".join(json.loads(NOTEBOOK.read_text())["cells"][1]["source"])
    seed, size = re.search(r"FakeXApi\(seed=(\d+), size=([\d_]+)\)", source).groups()
    user = FakeXApi(seed=int(seed), size=int(size.replace("_", ""))).user_of(TYPED)
    return re.compile(rf"bearer token: @{re.escape(user['username'])} \(\d+\)")


def widget_cell() -> int:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return next(i for i, c in enumerate(cells) if "widgets.credentials(" in "".join(c["source"]))


def run_command(page, command: str) -> None:
    # Fire and forget: a command's promise may wait on the kernel or a dialog; the test waits
    # for what the command shows instead.
    page.evaluate("name => { window.jupyterapp.commands.execute(name); }", command)


def test_type_a_token_press_test_and_see_the_account(lab, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, token, root = lab
    account = expected_account()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        page = context.new_page()
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", timeout=90_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_function(KERNEL_IDLE, timeout=60_000)
            for _ in range(widget_cell() + 1):  # from the top through the widget's cell
                run_command(page, "notebook:run-cell-and-select-next")
            expect(page.get_by_text("using for this session: bearer token")).to_be_visible(
                timeout=60_000
            )
            bearer = page.locator(".jupyter-widgets input[type='password']").first
            bearer.fill(TYPED)
            bearer.press("Enter")  # the field syncs on Enter or blur (continuous_update off)
            page.locator("button.jupyter-button", has_text="Test").click()
            expect(page.get_by_text(account)).to_be_visible(timeout=30_000)
            expect(bearer).to_have_value("")
            page.screenshot(path=str(tmp_path / "answered.png"))  # to look at when in doubt
            run_command(page, "docmanager:save")
            saved = root / NOTEBOOK.name
            deadline = time.monotonic() + 30
            while "widget-state" not in saved.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            context.close()
    text = saved.read_text()
    assert "application/vnd.jupyter.widget-state+json" in text  # state was saved ...
    assert "PasswordModel" in text and TYPED not in text  # ... without the typed token
    assert account.search(text)  # the answer shown on the page is in the saved outputs
