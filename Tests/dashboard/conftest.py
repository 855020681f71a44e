"""Fixtures for the dashboard suite.

A real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium) browses `modelyard serve`,
started once per session on a free port with a fresh data directory. State the pages should show is set up through
the native REST API (/api/v1) with `requests`; everything under test happens in the browser. Every page a test
checks is saved as a full-page screenshot in $MODELYARD_SCREENSHOTS. A skipped test fails the session.
"""

import base64
import os
import sys
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # Tests/, for the shared plugin
pytest.register_assert_rewrite("pytest_modelyard")
from pytest_modelyard import create_token, modelyard_server, unique  # noqa: E402,F401 (for the tests)

pytest_plugins = ["pytest_modelyard"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("MODELYARD_SCREENSHOTS", REPO_ROOT / ".build/dashboard-screenshots"))
@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    with modelyard_server(tmp_path_factory.mktemp("modelyard-server")) as url:
        yield url


@pytest.fixture(scope="session")
def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


class Browser:
    """The driver plus the server's address, with waits and screenshots."""

    def __init__(self, driver, base: str):
        self.driver = driver
        self.base = base

    def open(self, path: str):
        self.driver.get(self.base + path)
        return self

    def wait(self, condition, timeout: float = 10):
        return WebDriverWait(self.driver, timeout).until(condition)

    def css(self, selector: str):
        return self.driver.find_element("css selector", selector)

    def all(self, selector: str):
        return self.driver.find_elements("css selector", selector)

    def text(self) -> str:
        return self.css("main").text

    def form_error(self, timeout: float = 10) -> str:
        """Waits for a shown, non-empty `.form-error` and returns its text. Pages may hold hidden ones (the register
        page's upload-error slot), and a submit replaces the page, so presence alone would match the old page."""

        # One script reads every candidate in a single turn of the page's event loop, so the page cannot be replaced
        # between finding an element and reading it. A submit that navigates while the script runs destroys its
        # context: Chrome reports that as a stale element, a node "not belonging to the document", or a plain
        # WebDriverException, and the next poll reads the new page.
        script = """return [...document.querySelectorAll('.form-error')]
            .map(e => e.checkVisibility() ? e.innerText.trim() : '').find(t => t) || null;"""

        def shown(driver):
            try:
                return driver.execute_script(script)
            except WebDriverException:
                return None

        return self.wait(shown, timeout)

    def shot(self, name: str) -> Path:
        """Saves the whole page, beyond the window (Chrome DevTools' captureBeyondViewport)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}
        image = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        path = SCREENSHOTS / f"{name}.png"
        path.write_bytes(base64.b64decode(image["data"]))
        assert path.stat().st_size > 10_000, f"screenshot {path} is suspiciously small"
        return path


@pytest.fixture
def browser(driver, server_url):
    driver.set_window_size(1280, 900)
    return Browser(driver, server_url)


class Registry:
    """Modelyard's native REST API, used to set up what the pages should show and to check what they did."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base = f"{base_url}/api/v1"
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expected=(200, 201), **kwargs):
        response = self.http.request(method, self.base + path, timeout=60, **kwargs)
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def model(self, name: str, **fields):
        return self.call("POST", "/models", json={"name": name, **fields})

    def version(self, model: str, scores=None, params=None, parents=(), status="ready", description=""):
        body = {"scores": scores or {}, "params": params or {}, "status": status, "description": description,
                "parents": [{"version": parent} for parent in parents]}
        return self.call("POST", f"/models/{model}/versions", json=body)

    def history(self, model: str, version: str, series: dict):
        points = [{"metric": name, "step": step, "value": value}
                  for name, values in series.items() for step, value in enumerate(values)]
        return self.call("POST", f"/models/{model}/versions/{version}/history", json={"points": points})

    def deploy(self, model: str, version: str, environment="production", reason="setup"):
        return self.call("POST", f"/models/{model}/deployments",
                         json={"version": version, "environment": environment, "reason": reason})

    def serving(self, model: str) -> dict:
        return {a["environment"]: a["version"] for a in self.call("GET", f"/models/{model}/aliases")["aliases"]}

    def audit(self, model: str) -> list:
        return self.call("GET", f"/models/{model}/audit")["entries"]


@pytest.fixture(scope="session")
def api(server_url):
    return Registry(server_url)
