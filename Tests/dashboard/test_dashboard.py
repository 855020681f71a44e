"""The dashboard in a real browser: what each page shows after each step, and that its actions really happen."""

import math
import time
from pathlib import Path

import requests
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import unique


def loss_curve(n, scale=1.0):
    return [scale * 2 / (1 + step / 50) for step in range(n)]


def f1_curve(n, top):
    return [top - 0.4 / (1 + step / 50) for step in range(n)]


def seed_model(api, name):
    """Two scored, ready versions with history; 1.1.0 derives from 1.0.0 and is better on f1, worse on latency."""
    api.model(name, task="classification", owner="risk-team", primary_metric="f1", metric_direction="max",
              tags={"team": "risk"}, description="Fraud scores for card payments")
    api.version(name, scores={"f1": 0.80, "latency_ms": 12.0}, params={"lr": 0.1, "depth": 4})
    api.version(name, scores={"f1": 0.86, "latency_ms": 15.0}, params={"lr": 0.05, "seed": 7}, parents=["1.0.0"])
    api.history(name, "1.0.0", {"loss": loss_curve(300, 1.2), "f1": f1_curve(300, 0.80)})
    api.history(name, "1.1.0", {"loss": loss_curve(300), "f1": f1_curve(300, 0.86)})


def test_models_page_starts_with_a_guide_then_lists_models(browser, api):
    browser.open("/")
    assert "No models yet" in browser.text()
    assert "modelyard models create" in browser.text()
    browser.shot("01-models-empty")

    name = unique("fraud")
    seed_model(api, name)
    api.deploy(name, "1.0.0")
    api.model(unique("churn"), task="regression", tags={"team": "growth"})
    browser.open("/")
    card = browser.driver.find_element(By.XPATH, f"//li[contains(@class,'card')][.//a[text()='{name}']]")
    text = card.text
    assert "classification" in text and "risk-team" in text and "team=risk" in text
    assert "1.1.0" in text  # latest and best
    assert "f1 0.86" in text  # best version's primary metric
    assert "production" in text and "1.0.0" in text  # what production serves
    browser.shot("02-models")

    search = browser.css("#q")
    search.send_keys(name)
    search.submit()
    browser.wait(EC.url_contains("q="))
    assert len(browser.all("li.card")) == 1
    browser.open("/?tag=team%3Dgrowth")
    cards = browser.all("li.card")
    assert cards and all("team=growth" in card.text for card in cards)


def test_register_a_model_and_a_version_with_files_through_the_forms(browser, api, tmp_path):
    name = unique("forms")
    browser.open("/register")
    browser.css("#m-name").send_keys(name)
    browser.css("#m-task").send_keys("classification")
    browser.css("#m-metric").send_keys("auc")
    browser.css("#m-tags").send_keys("team=forms")
    browser.css("#m-actor").send_keys("ada")
    browser.css("#m-name").submit()
    browser.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), f"Created model {name}"))
    assert Select(browser.css("#v-model")).first_selected_option.text == name

    model_file = tmp_path / "model.bin"
    payload = bytes(range(256)) * 4096  # 1 MiB, so the progress bar has something to show
    model_file.write_bytes(payload)
    browser.css("#v-params").send_keys("learning_rate=0.05\nmax_depth=6\nbooster=gbtree")
    browser.css("#v-scores").send_keys("auc=0.93\nloss=0.21")
    browser.css("#v-files").send_keys(str(model_file))
    browser.shot("03-register-filled")
    browser.css("#register-version button[type=submit]").click()
    browser.wait(EC.url_contains(f"/models/{name}/versions/1.0.0"), timeout=30)
    text = browser.text()
    assert "ready" in text and "0.93" in text and "learning_rate" in text and "gbtree" in text
    row = browser.driver.find_element(By.XPATH, "//section[.//h2[text()='Artifacts']]//tbody/tr")
    assert "model.bin" in row.text and "1 MiB" in row.text
    sha = row.find_elements(By.CSS_SELECTOR, "td.mono")[0].text
    assert len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)
    link = row.find_element(By.TAG_NAME, "a").get_attribute("href")
    assert requests.get(link, timeout=30).content == payload
    browser.shot("04-version-registered")

    version = api.call("GET", f"/models/{name}/versions/1.0.0")
    assert version["status"] == "ready" and version["params"]["max_depth"] == 6
    assert api.audit(name)[0]["actor"] in ("ada", "dashboard")


def test_a_bad_form_shows_the_servers_message_and_keeps_what_was_typed(browser, api):
    name = unique("badform")
    api.model(name)
    browser.open(f"/register?model={name}")
    browser.css("#v-params").send_keys("depth=3")
    browser.css("#v-scores").send_keys("f1=high")
    browser.css("#register-version button[type=submit]").click()
    error = browser.form_error()
    assert "f1" in error and "must be a number" in error
    assert browser.css("#v-params").get_attribute("value") == "depth=3"
    browser.shot("05-register-error")
    assert api.call("GET", f"/models/{name}/versions")["versions"] == []


def test_versions_table_sorts_by_a_metric_and_compares_selected_versions(browser, api):
    name = unique("table")
    seed_model(api, name)
    api.version(name, scores={"f1": 0.83, "latency_ms": 9.0}, params={"lr": 0.07}, parents=["1.1.0"])
    api.deploy(name, "1.1.0")
    browser.open(f"/models/{name}")
    rows = browser.all("tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "th").text.split()[0] for r in rows] == ["1.2.0", "1.1.0", "1.0.0"]
    best_row = rows[1].text
    assert "BEST" in best_row and "production" in best_row and "ready" in best_row
    browser.shot("06-versions")

    browser.driver.find_element(By.LINK_TEXT, "latency_ms").click()
    browser.wait(EC.url_contains("sort=metric"))
    first = [r.find_element(By.CSS_SELECTOR, "th").text.split()[0] for r in browser.all("tbody tr")]
    assert first == ["1.1.0", "1.0.0", "1.2.0"]  # highest latency first
    browser.driver.find_element(By.PARTIAL_LINK_TEXT, "latency_ms").click()
    browser.wait(EC.url_contains("order=asc"))
    ascending = [r.find_element(By.CSS_SELECTOR, "th").text.split()[0] for r in browser.all("tbody tr")]
    assert ascending == ["1.2.0", "1.0.0", "1.1.0"]

    button = browser.css("[data-compare-button]")
    assert not button.is_enabled()
    browser.css('input[value="1.0.0"]').click()
    browser.css('input[value="1.1.0"]').click()
    browser.wait(lambda d: button.is_enabled())
    assert button.text == "Compare 2 versions"
    button.click()
    browser.wait(EC.url_contains("/compare?"))
    assert "Compare" in browser.css("h1").text


def test_version_page_draws_history_lineage_and_records(browser, api):
    name = unique("detail")
    seed_model(api, name)
    api.deploy(name, "1.1.0", reason="f1 up")
    browser.open(f"/models/{name}/versions/1.1.0")
    charts = browser.all("figure svg.chart")
    assert len(charts) == 2  # one per metric: f1 and loss
    assert all(c.find_elements(By.TAG_NAME, "polyline") for c in charts)
    titles = [t.get_attribute("textContent") for t in charts[0].find_elements(By.CSS_SELECTOR, "circle.pt title")]
    assert titles and all("step" in t for t in titles)
    assert any(t.endswith(": 0.86") or ": 0.8" in t for t in titles)  # f1 values reach the hover labels
    lineage = browser.css("svg.lineage")
    parent = lineage.find_element(By.CSS_SELECTOR, f'a[href="/models/{name}/versions/1.0.0"]')
    assert parent is not None
    text = browser.text()
    assert "Evaluation scores" in text and "0.86" in text and "seed" in text
    assert "f1 up" in text  # deployment history
    assert "version.register" in text  # audit log
    browser.shot("07-version")

    browser.driver.execute_script("arguments[0].scrollIntoView()", lineage)
    browser.driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", parent)
    browser.wait(EC.url_contains("/versions/1.0.0"))


def test_compare_colours_deltas_by_direction_and_overlays_curves(browser, api):
    name = unique("compare")
    seed_model(api, name)
    api.call("PATCH", f"/models/{name}", json={})  # no-op; the model's metric rules stay
    browser.open(f"/models/{name}/compare?v=1.0.0&v=1.1.0")
    f1 = browser.driver.find_element(By.XPATH, "//tr[th[starts-with(normalize-space(.),'f1')]]/td[2]")
    assert "better" in f1.get_attribute("class") and "+0.06" in f1.text
    latency = browser.driver.find_element(By.XPATH, "//tr[th[starts-with(normalize-space(.),'latency_ms')]]/td[2]")
    assert "worse" in latency.get_attribute("class")  # a latency going up is worse
    changed = browser.driver.find_element(By.XPATH, "//tr[th[text()='lr']]/td[2]")
    assert "changed" in changed.get_attribute("class") and changed.text.startswith("0.05")
    assert "added" in browser.driver.find_element(By.XPATH, "//tr[th[text()='seed']]/td[2]").get_attribute("class")
    assert "removed" in browser.driver.find_element(By.XPATH, "//tr[th[text()='depth']]/td[2]").get_attribute("class")
    for chart in browser.all("figure svg.chart"):
        assert len(chart.find_elements(By.TAG_NAME, "polyline")) == 2  # both versions on one chart
    browser.shot("08-compare")


def test_deploy_and_roll_back_through_confirmation_pages(browser, api):
    name = unique("deploy")
    seed_model(api, name)
    api.deploy(name, "1.0.0", reason="baseline")
    browser.open(f"/models/{name}/deployments")
    assert "serves 1.0.0" in browser.css("main section.panel h2").text
    Select(browser.css("#deploy-version")).select_by_value("1.1.0")
    browser.shot("09-deployments")
    browser.driver.find_element(By.CSS_SELECTOR, 'button[value="deploy"]').click()
    browser.wait(EC.url_contains("/deployments/confirm"))
    summary = browser.text()
    assert "will serve 1.1.0 instead of 1.0.0" in summary
    assert "+0.06" in browser.css("td.better").text  # f1 change shown before confirming
    browser.shot("10-confirm-deploy")
    assert api.serving(name) == {"production": "1.0.0"}, "nothing happens before confirming"
    browser.css("#reason").send_keys("f1 +0.06 on the holdout set")
    actor = browser.css("#actor")
    actor.clear()
    actor.send_keys("grace")
    browser.css("form[method=post] button[type=submit]").click()
    browser.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Deployed 1.1.0 to production."))
    assert "serves 1.1.0" in browser.css("main section.panel h2").text
    browser.shot("11-deployed")
    assert api.serving(name) == {"production": "1.1.0"}
    deploy = next(e for e in api.audit(name) if e["action"] == "deploy")
    assert deploy["actor"] == "grace" and deploy["reason"] == "f1 +0.06 on the holdout set"

    browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Roll back production").click()
    browser.wait(EC.url_contains("action=rollback"))
    assert "back to 1.0.0" in browser.text()
    browser.css("#reason").send_keys("latency regression")
    assert browser.css("#actor").get_attribute("value") == "grace"  # remembered
    browser.css("form[method=post] button[type=submit]").click()
    browser.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Rolled production back to 1.0.0."))
    history = browser.driver.find_element(By.XPATH, "//section[.//h2[text()='History']]//tbody").text
    assert "latency regression" in history and "rollback" in history
    browser.shot("12-rolled-back")
    assert api.serving(name) == {"production": "1.0.0"}


def test_a_refused_action_shows_the_servers_message_and_changes_nothing(browser, api):
    name = unique("refused")
    seed_model(api, name)
    api.deploy(name, "1.0.0")
    api.version(name, scores={"f1": 0.9}, status="draft")  # 1.2.0 cannot be deployed
    browser.open(f"/models/{name}/deployments/confirm?action=deploy&version=1.2.0&environment=production")
    browser.css("#reason").send_keys("try the draft")
    browser.css("form[method=post] button[type=submit]").click()
    message = browser.form_error()
    assert "The server refused" in message and "1.2.0" in message
    assert browser.css("#reason").get_attribute("value") == "try the draft"
    browser.shot("13-refused")
    assert api.serving(name) == {"production": "1.0.0"}


def test_actions_without_the_form_token_are_refused(api, server_url):
    name = unique("csrf")
    seed_model(api, name)
    api.deploy(name, "1.0.0")
    response = requests.post(
        f"{server_url}/models/{name}/deployments", timeout=30,
        data={"action": "deploy", "version": "1.1.0", "environment": "production", "reason": "forged"})
    assert response.status_code == 403 and "reload the page" in response.text
    assert api.serving(name) == {"production": "1.0.0"}


def test_pages_update_live_without_a_reload(browser, api):
    name = unique("live")
    seed_model(api, name)
    browser.open(f"/models/{name}")
    browser.wait(lambda d: "live" in d.find_element(By.CSS_SELECTOR, ".live-state").text)
    browser.driver.execute_script("window.__marker = 42")
    api.version(name, scores={"f1": 0.99})
    api.deploy(name, "1.0.0", environment="staging")
    browser.wait(lambda d: "1.2.0" in d.find_element(By.CSS_SELECTOR, "tbody").text, timeout=15)
    browser.wait(lambda d: "staging" in d.find_element(By.CSS_SELECTOR, "tbody").text, timeout=15)
    assert browser.driver.execute_script("return window.__marker") == 42, "the page was reloaded"
    browser.shot("14-live-update")


def test_everything_users_typed_is_shown_as_text(browser, api):
    name = unique("xss")
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    api.model(name, description=hostile, tags={"note": hostile}, primary_metric="f1")
    api.version(name, scores={"f1": 0.5}, params={"cmd": hostile}, description=hostile)
    for path in ("/", f"/models/{name}", f"/models/{name}/versions/1.0.0"):
        browser.open(path)
        try:
            browser.wait(EC.alert_is_present(), timeout=1)
            raise AssertionError(f"{path} ran injected script")
        except TimeoutException:
            pass
        assert not browser.all("img[src=x]")
        assert "<script>alert(1)</script>" in browser.text()
    browser.shot("15-escaped")


def test_theme_switch_and_phone_width_layout(browser, api):
    seed_model(api, unique("theme"))
    browser.open("/")
    root = "return document.documentElement.dataset.theme || ''"
    before = browser.driver.execute_script(root)
    browser.css("[data-theme-toggle]").click()
    after = browser.driver.execute_script(root)
    assert after in ("dark", "light") and after != before
    if after != "dark":
        browser.css("[data-theme-toggle]").click()
    browser.open("/")
    assert browser.driver.execute_script(root) == "dark", "the choice survives a page load"
    browser.shot("16-models-dark")
    browser.css("[data-theme-toggle]").click()

    browser.driver.set_window_size(375, 800)
    for path in ("/", "/register"):
        browser.open(path)
        overflow = browser.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways on a phone ({overflow}px)"
    browser.shot("17-register-phone")


def test_drift_panel_and_monitoring_page_show_a_drifting_version(browser, api):
    """A served forest whose last 1,000 rows moved away from its reference: the version page's drift panel says it
    drifts, lists drifted columns first with a bar chart each, and the monitoring page puts it first."""
    name = unique("drift")
    api.model(name, task="classification")
    api.call("POST", f"/models/{name}/versions", json={})
    model = (Path(__file__).resolve().parents[2] / "fixtures/onnx/random_forest.onnx").read_bytes()
    api.call("PUT", f"/models/{name}/versions/1.0.0/artifacts/model.onnx", data=model,
             headers={"Content-Type": "application/octet-stream"})
    api.call("PATCH", f"/models/{name}/versions/1.0.0", json={"status": "ready"})

    def rows(count, shift):
        return [[((r * 7 + j * 3) % 50) / 10 + shift for j in range(20)] for r in range(count)]

    header = ",".join(f"f{j}" for j in range(20))
    reference = header + "\n" + "\n".join(",".join(str(v) for v in row) for row in rows(600, 0)) + "\n"
    api.call("PUT", f"/models/{name}/versions/1.0.0/drift/reference", data=reference,
             headers={"Content-Type": "text/csv"})
    api.deploy(name, "1.0.0")
    served = rows(1000, 1.5)
    for start in range(0, 1000, 100):
        api.call("POST", f"/models/{name}/predict", json={"inputs": served[start:start + 100]})

    browser.open(f"/models/{name}/versions/1.0.0")
    state = browser.css("#drift-state").text
    assert "drifting" in state and "last 1000 served rows" in state, state
    first = browser.css("#drift-columns tbody tr")
    assert first.get_attribute("class") == "drifted" and first.find_element(By.CSS_SELECTOR, "th").text.startswith("f")
    charts = browser.all("svg.bars")
    assert len(charts) == 22 and all(chart.is_displayed() for chart in charts[:3])
    assert len(charts[0].find_elements(By.CSS_SELECTOR, "rect.cur")) > 3
    browser.driver.execute_script("document.getElementById('drift-h').scrollIntoView()")
    browser.shot("18-drift-panel")

    browser.driver.find_element(By.LINK_TEXT, "Monitoring").click()
    browser.wait(EC.url_contains("/monitoring"))
    top = browser.css("#monitoring tbody tr")
    assert f"{name} 1.0.0" in top.text and "drifting" in top.text, top.text
    browser.shot("19-monitoring")


def seed_embedding_model(api, name, suite):
    """Two ready versions of the tiny BERT folder (fixtures/embeddings), each benchmarked on the shipped retrieval
    suite and for latency."""
    root = Path(__file__).resolve().parents[2]
    folder = root / "fixtures/embeddings/tiny-bert"
    api.model(name, task="embedding")
    api.call("PUT", f"/benchmark-suites/{suite}", data=(root / "suites/modelyard-mini-retrieval.jsonl").read_bytes())
    for weights in ("model.onnx", "model.safetensors"):
        version = api.version(name, status="draft")["version"]
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in ("model.onnx", "model.safetensors", "model_opset13.onnx")):
            api.call("PUT", f"/models/{name}/versions/{version}/artifacts/{path.relative_to(folder).as_posix()}", data=path.read_bytes())
        api.call("PUT", f"/models/{name}/versions/{version}/artifacts/{weights}", data=(folder / weights).read_bytes())
        api.call("PATCH", f"/models/{name}/versions/{version}", json={"status": "ready"})
        api.call("POST", f"/models/{name}/versions/{version}/benchmark", json={"suite": suite})
        api.call("POST", f"/models/{name}/versions/{version}/benchmark", json={"batches": [1, 8]})


def test_benchmark_history_charts_exports_and_compares_suite_results(browser, api):
    name, suite = unique("embedder"), unique("suite")
    seed_embedding_model(api, name, suite)
    browser.open(f"/models/{name}")
    browser.driver.find_element(By.LINK_TEXT, "Benchmarks").click()
    browser.wait(EC.url_contains("/benchmarks"))
    assert "Latency and throughput" in browser.css("main h2").text
    browser.driver.find_element(By.LINK_TEXT, suite).click()
    browser.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h2#bench-h"), f"Suite {suite}"))
    captions = [figure.text.split("\n")[0] for figure in browser.all("figure figcaption")]
    assert captions == ["Quality", "p50 latency (ms)", "Throughput (rows/s)"], captions
    quality = browser.all("figure svg.chart")[0]
    assert len(quality.find_elements(By.TAG_NAME, "polyline")) == 3  # nDCG, MRR and recall over the two versions
    assert [row.text.split()[0] for row in browser.all("main table tbody tr th")] == ["1.0.0", "1.1.0"]
    browser.shot("20-benchmarks")
    # The export links answer with the table, on the dashboard's own credentials.
    href = browser.driver.find_element(By.LINK_TEXT, "Export CSV").get_attribute("href")
    csv = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done);", href)
    assert csv.startswith("version,run_at,ndcg@10") and csv.count("\r\n") == 3, csv
    browser.open(f"/models/{name}/compare?v=1.0.0&v=1.1.0")
    section = browser.css("section[aria-labelledby=bench-h]").text
    assert "Latency and throughput" in section and f"Suite {suite}" in section and "ndcg@10" in section
    assert "rows/s @8" in section
    browser.shot("21-compare-benchmarks")
