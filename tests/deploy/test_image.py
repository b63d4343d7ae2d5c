"""The Dockerfile: one slim image, non-root, its healthcheck works, the install is complete."""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.deployment import FIVE, ROOT, services

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [tuple(line.strip().split(None, 1)) for line in joined.splitlines() if line.strip()]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def healthcheck_command() -> list[str]:
    (args,) = [args for op, args in final_stage() if op == "HEALTHCHECK"]
    return json.loads(args.split("CMD", 1)[1])


def test_slim_python_311_in_every_stage_and_no_dev_extras():
    bases = [args.split()[0] for op, args in instructions() if op == "FROM"]
    assert bases and set(bases) == {"python:3.11-slim"}
    installs = [args for op, args in instructions() if op == "RUN" and "pip install" in args]
    assert installs and all("pip install ." in run and "[dev]" not in run for run in installs)


def test_the_services_run_as_a_non_root_user():
    users = [args for op, args in final_stage() if op == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_the_default_command_serves_the_service_named_by_the_environment():
    (cmd,) = [json.loads(args) for op, args in final_stage() if op == "CMD"]
    assert 'python -m services.cli serve "$SERVICE" --port "$PORT"' in cmd[-1]
    for name in FIVE:
        assert "command" not in services()[name], f"{name} should run the image's command"


def test_compose_checks_health_exactly_as_the_image_does():
    for name in FIVE:
        assert services()[name]["healthcheck"]["test"] == ["CMD", *healthcheck_command()]


class _Service(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_healthcheck_passes_only_when_healthz_answers_ok(status, healthy):
    handler = type("Handler", (_Service,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        command = [sys.executable, *healthcheck_command()[1:]]
        env = {**os.environ, "PORT": str(server.server_address[1])}
        assert (subprocess.run(command, env=env, capture_output=True, timeout=10).returncode == 0) is healthy
    finally:
        server.shutdown()
        server.server_close()


def _ignored(rules: list[str], path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parents = [str(Path(*Path(path).parts[:n])) for n in range(1, len(Path(path).parts) + 1)]
    ignored = False
    for rule in rules:
        negate, pattern = rule.startswith("!"), rule.lstrip("!").rstrip("/")
        regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(regex, p) for p in parents):
            ignored = not negate
    return ignored


def test_the_build_context_holds_the_sources_and_never_the_secrets():
    text = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line.strip() for line in text if line.strip() and not line.startswith("#")]
    for path in ("pyproject.toml", "services/core/settings.py", "services/intake/templates/archive.html"):
        assert not _ignored(rules, path), path
    for path in ("deploy/.env", ".env", ".venv/bin/python", ".git/config", "var/s3/x",
                 "services/core/__pycache__/db.cpython-311.pyc", "tests/conftest.py"):
        assert _ignored(rules, path), path


def test_the_install_carries_every_file_of_the_services(tmp_path):
    """A regular install (not the editable one of `make`) drops files pyproject does not list."""
    tracked = subprocess.run(["git", "ls-files", "-z", "pyproject.toml", "services"], cwd=ROOT,
                             capture_output=True, check=True).stdout.decode().split("\0")
    source = tmp_path / "src"
    for name in filter(None, tracked):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    build = tmp_path / "lib"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "build_py", "--build-lib", str(build)], cwd=source, check=True,
                   capture_output=True)
    installed = {str(p.relative_to(build)) for p in build.rglob("*") if p.is_file()}
    expected = {name for name in tracked if name.startswith("services/")}
    assert sorted(expected - installed) == []
