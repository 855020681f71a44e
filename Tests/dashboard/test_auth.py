"""The dashboard in a real Chromium when the server requires tokens: sign in with a token, see only what its scopes
allow, sign out; and what a page of another site can make the browser send changes nothing."""

import http.server
import threading

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import Registry, create_token, modelyard_server, unique
from test_dashboard import seed_model


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("modelyard-auth")
    tokens = {"admin": create_token(workdir, "admin", "admin"), "viewer": create_token(workdir, "viewer", "read")}
    with modelyard_server(workdir, "--auth") as url:
        api = Registry(url, token=tokens["admin"])
        name = unique("secured")
        seed_model(api, name)
        api.deploy(name, "1.0.0")
        yield url, tokens, name, api


def sign_in(browser, token):
    browser.css("#token").send_keys(token)
    browser.css("form[action='/login'] button[type=submit]").click()


def test_sign_in_see_what_the_token_allows_and_sign_out(browser, secured):
    url, tokens, name, _ = secured
    browser.base = url
    browser.driver.delete_all_cookies()
    browser.open(f"/models/{name}/deployments")
    browser.wait(EC.url_contains("/login?next="))
    browser.shot("30-sign-in")
    sign_in(browser, "myd_wrong")
    assert "not a Modelyard token" in browser.form_error()

    sign_in(browser, tokens["viewer"])
    browser.wait(EC.url_contains(f"/models/{name}/deployments"))
    assert "viewer" in browser.css("form.account").text
    needs = browser.css("[data-needs-scope=deploy]").text
    assert "deploy" in needs and "viewer" in needs
    assert not browser.all("button[value=deploy]")
    browser.shot("31-signed-in-read-only")

    browser.css("form.account button").click()
    browser.wait(EC.url_contains("/login"))
    browser.open(f"/models/{name}/deployments")
    browser.wait(EC.url_contains("/login?next="))
    sign_in(browser, tokens["admin"])
    browser.wait(EC.url_contains(f"/models/{name}/deployments"))
    assert browser.all("button[value=deploy]") and not browser.all("[data-needs-scope]")
    # The session cookie is out of scripts' reach.
    assert browser.driver.execute_script("return document.cookie").find("modelyard_session") == -1
    browser.driver.delete_all_cookies()


ATTACK = """<!doctype html><html><body>
<form id="form" method="post" action="{target}/api/v1/models" enctype="text/plain">
<input name='{{"name": "evil-form", "x": "' value='"}}'></form>
<form id="urlencoded" method="post" action="{target}/api/v1/models" target="sink"><input name="name" value="evil-urlencoded"></form>
<form id="dashboard" method="post" action="{target}/register/model" target="sink2"><input name="name" value="evil-dashboard"></form>
<iframe name="sink"></iframe><iframe name="sink2"></iframe>
<script>
fetch("{target}/api/v1/models", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
  body: JSON.stringify({{name: "evil-fetch"}})}}).catch(() => {{}});
fetch("{target}/api/v1/models", {{method: "POST", headers: {{"Content-Type": "application/json"}},
  body: JSON.stringify({{name: "evil-cors"}})}}).catch(() => {{}});
document.getElementById("urlencoded").submit();
document.getElementById("dashboard").submit();
setTimeout(() => document.getElementById("form").submit(), 500);
</script></body></html>"""


@pytest.fixture
def attacker(tmp_path, server_url):
    """A page of another site (another origin: localhost instead of 127.0.0.1) that posts to the server."""
    (tmp_path / "index.html").write_text(ATTACK.format(target=server_url))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/index.html"
    server.shutdown()


def test_a_page_of_another_site_changes_nothing(browser, api, attacker, server_url):
    """The default server (loopback, no tokens) is the one any page in the user's browser can reach."""
    browser.base = server_url
    browser.open("/")  # the dashboard's own cookies are in the browser, as they would be
    before = {model["name"] for model in api.call("GET", "/models")["models"]}
    browser.driver.get(attacker)
    # The page fires its requests, then its last form navigates the tab to the server's answer: once that has
    # loaded, every request has been answered.
    browser.wait(lambda driver: driver.current_url.startswith(server_url), timeout=20)
    assert "unsupported_media_type" in browser.driver.page_source or "another site" in browser.driver.page_source
    after = {model["name"] for model in api.call("GET", "/models")["models"]}
    assert after == before, f"a cross-site request created {after - before}"
