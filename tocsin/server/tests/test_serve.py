"""`tocsin serve`: migrate, then gunicorn and the worker, stopped together by SIGTERM.

Runs the real command in a fresh process on a temporary SQLite database, as an
administrator would, and talks to it over HTTP on loopback."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tocsin.server.tests.subprocesses import clean_env

START_TIMEOUT = 60
STOP_TIMEOUT = 40
PASSWORD = "correct horse battery staple"
USER_AGENT = "tocsin-serve-test-agent/1.0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, *, source_port: int = 0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                            source_address=("127.0.0.1", source_port))
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def children_of(pid: int) -> dict[int, str]:
    """Child processes and their command lines, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen
    port: int
    data_dir: Path
    log: Path


def wait_until(condition: Callable[[], bool], timeout: float, what: str, served: Served) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail(f"tocsin serve exited ({served.process.returncode}) before {what}:\n"
                        f"{served.log.read_text()}")
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{served.log.read_text()}")


@contextlib.contextmanager
def serve(folder: Path, *, with_responder: bool) -> Iterator[Served]:
    """Start `tocsin serve` on a free port and wait until it answers; stop it all afterwards."""
    data_dir = folder / "var"
    (data_dir / "tmp").mkdir(parents=True)
    # An upload abandoned by a request that died: the worker's first pass removes it.
    stale = data_dir / "tmp" / "abandoned.upload"
    stale.write_bytes(b"\x00" * 64)
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    env = clean_env(TOCSIN_DATA_DIR=str(data_dir), TOCSIN_SECRET_KEY="serve-test-secret",
                    TOCSIN_KEY_WRAP_OPSLIMIT="1", TOCSIN_KEY_WRAP_MEMLIMIT="8192", HOME=str(folder))
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tocsin", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so nothing it starts can outlive the test
        )
    served = Served(process, port, data_dir, log)
    try:
        def answers() -> bool:
            try:
                return get(port, "/accounts/login/")[0] == 200
            except OSError:
                return False

        wait_until(answers, START_TIMEOUT, "it answered", served)
        if with_responder:
            (folder / "password").write_text(PASSWORD, encoding="utf-8")
            subprocess.run(  # noqa: S603
                [sys.executable, "-m", "tocsin", "adduser", "rita", "--team", "default",
                 "--password-file", str(folder / "password")],
                cwd=folder, env=env, check=True, capture_output=True, timeout=START_TIMEOUT,
            )
        yield served
    finally:
        stop_everything(process)


def stop_everything(process: subprocess.Popen) -> None:
    """Stop serve as an administrator would; if that fails, kill its whole group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of gunicorn and the worker
    process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    """One server with a responder, shared by the tests that only look at it."""
    with serve(tmp_path_factory.mktemp("serve"), with_responder=True) as running:
        yield running


def test_it_serves_the_report_form_over_http(served):
    status, body = get(served.port, "/report/")
    assert status == 200
    assert b'name="narrative"' in body
    assert get(served.port, "/static/tocsin.css")[0] == 200


def test_it_runs_gunicorn_and_the_worker(served):
    children = children_of(served.process.pid)
    assert any("gunicorn" in cmdline for cmdline in children.values()), children
    assert any("tocsin worker" in cmdline for cmdline in children.values()), children
    wait_until(lambda: not (served.data_dir / "tmp" / "abandoned.upload").exists(), START_TIMEOUT,
               "the worker's first pass", served)


def test_it_stops_on_sigterm_and_keeps_no_access_log(tmp_path):
    # A gunicorn.conf.py left in the working directory must not switch the access log on.
    (tmp_path / "gunicorn.conf.py").write_text('accesslog = "-"\n', encoding="utf-8")
    with serve(tmp_path, with_responder=False) as served:
        source_port = free_port()
        assert get(served.port, "/accounts/login/?q=visitor-query", source_port=source_port)[0] == 200
        assert get(served.port, "/no-such-page/")[0] == 404
        children = children_of(served.process.pid)
        assert len(children) == 2, children
        # Stopped once it runs (before its handlers exist, SIGTERM ends it at once).
        wait_until(lambda: "worker ready" in served.log.read_text(), START_TIMEOUT,
                   "the worker to start", served)

        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=STOP_TIMEOUT) == 0
        for pid, cmdline in children.items():
            assert not alive(pid), f"{cmdline} outlived tocsin serve"
        with pytest.raises(OSError):
            get(served.port, "/accounts/login/")

    output = served.log.read_text()
    assert "Listening at: http://127.0.0.1:" in output  # gunicorn did write its own log
    assert "worker stopped" in output
    assert "GET /" not in output
    assert "visitor-query" not in output
    assert USER_AGENT not in output
    assert f"127.0.0.1:{source_port}" not in output
    assert f"'127.0.0.1', {source_port}" not in output
    # The only loopback address in the output is the server's own.
    assert output.count("127.0.0.1") == output.count(f"127.0.0.1:{served.port}")
