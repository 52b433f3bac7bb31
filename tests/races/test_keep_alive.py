"""The server as deployed (`apologismos serve`) keeps an idle connection open longer than
clients and proxies wait before they reuse one. With uvicorn's default (5 s), the server
closed connections the moment a client sent its next request on them: under load that request
failed (a reset connection, "server disconnected without sending a response")."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.races.conftest import _env, _free_port, _stop

IDLE_SECONDS = 6  # longer than uvicorn's default keep-alive


def _get(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def test_an_idle_connection_outlives_a_client_pause(tmp_path: Path) -> None:
    port = _free_port()
    cli = Path(sys.executable).with_name("apologismos")
    log = tmp_path / "server.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(cli), "serve", "--port", str(port), "--no-access-log"],
            env=_env(f"sqlite:///{tmp_path / 'idle.db'}"),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            assert _get(sock).startswith(b"HTTP/1.1 200"), log.read_text()
            time.sleep(IDLE_SECONDS)
            assert _get(sock).startswith(b"HTTP/1.1 200"), log.read_text()
    finally:
        _stop(proc)
