"""What the project's Python suites (Tests/mlflow, Tests/inference) share, loaded by each conftest as a pytest plugin:

- a skipped test fails the session (CI must never pass on skips), listed in the summary;
- on failure, the summary ends with the server's stderr;
- `modelyard_server(workdir, *args)` starts `modelyard serve` on a free port with a fresh data directory and stops
  it (its process group: SIGTERM, then SIGKILL); `create_token(workdir, name, scope)` bootstraps a token into it;
- `stop(process)` and `startup_failure(...)` for suites that start other servers too;
- `unique(prefix)`: a name no other test of the session uses.
"""

import itertools
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MODELYARD_BINARY = Path(os.environ.get("MODELYARD_BINARY", REPO_ROOT / ".build/debug/modelyard")).resolve()
LISTENING_PREFIX = "modelyard listening on "

_counter = itertools.count(1)
_skipped: list[str] = []  # node ids of skipped tests and modules
server_logs: list[Path] = []  # stderr logs of the servers started this session


def pytest_collectreport(report):
    if report.skipped:
        _skipped.append(report.nodeid or "<collection>")


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """A skipped test counts as a failure: turn an otherwise green session red."""
    if _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _skipped:
        terminalreporter.section("skipped tests count as failures")
        for nodeid in _skipped:
            terminalreporter.line(nodeid)
    failed = terminalreporter.stats.get("failed") or terminalreporter.stats.get("error")
    if failed and server_logs and server_logs[0].exists():
        lines = server_logs[0].read_text(errors="replace").splitlines()
        terminalreporter.section(f"server stderr (last 200 lines of {server_logs[0]})")
        for line in lines[-200:]:
            terminalreporter.line(line)


def unique(prefix: str) -> str:
    """A name (of a model, say) no other test in the session uses."""
    return f"{prefix}-{os.getpid()}-{next(_counter)}"


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group, then SIGKILL if it has not exited in 10 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def startup_failure(message: str, stderr_path: Path) -> NoReturn:
    pytest.fail(f"{message}\n--- server stderr ---\n{stderr_path.read_text(errors='replace')}")


def create_token(workdir: Path, name: str, scope: str, *limits: str) -> str:
    """A token written straight into the data directory of `modelyard_server(workdir)` (`tokens create
    --bootstrap`, as an operator makes the first admin token; it works while the server runs). `limits` are extra
    CLI arguments such as `--model`, `fraud`. Returns the secret."""
    command = [
        str(MODELYARD_BINARY), "tokens", "create", name, "--bootstrap", "--data-dir", str(workdir / "data"),
        "--scope", scope, *limits,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"tokens create failed: {result.stderr}"
    secret = result.stdout.strip()
    assert secret.startswith("myd_"), result.stdout
    return secret


@contextmanager
def modelyard_server(workdir: Path, *extra_args: str):
    """`modelyard serve` on a free loopback port (with `extra_args`, e.g. `--auth`); yields its base URL."""
    if not MODELYARD_BINARY.is_file():
        pytest.fail(f"modelyard binary not found at {MODELYARD_BINARY} (build it or pass its path)")
    stdout_path, stderr_path = workdir / "stdout.log", workdir / "stderr.log"
    server_logs.append(stderr_path)
    command = [
        str(MODELYARD_BINARY), "serve", "--port", "0", "--data-dir", str(workdir / "data"),
        "--log-level", "warning", *extra_args,
    ]
    with open(stdout_path, "w") as out, open(stderr_path, "w") as err:
        # One BLAS thread per call: OpenBLAS's idle threads otherwise compete for the two cores.
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        process = subprocess.Popen(command, stdout=out, stderr=err, env=environment, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        url = None
        while url is None:
            for line in stdout_path.read_text(errors="replace").splitlines():
                if line.startswith(LISTENING_PREFIX):
                    url = line[len(LISTENING_PREFIX):].split(" ", 1)[0]
            if url is None:
                if process.poll() is not None:
                    startup_failure(f"modelyard exited with status {process.returncode}", stderr_path)
                if time.monotonic() > deadline:
                    startup_failure("modelyard did not print its listening line within 30 s", stderr_path)
                time.sleep(0.05)
        yield url
    finally:
        stop(process)
