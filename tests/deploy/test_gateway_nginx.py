"""deploy/nginx.conf in a real nginx (when one is installed) in front of stand-in services."""

import json
import os
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.deploy.deployment import APPS, CONSOLE, DEPLOY, FIVE

# A real nginx is a Debian package, not a PyPI one: where it is missing, test_gateway.py still
# checks every route by reading nginx.conf, and this file proves the same routes on the real server.
pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")

DOCS = b"<script>SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui'})</script>"
# What the console sends with its hashed static files (services/console/pages.py).
IMMUTABLE = "public, max-age=31536000, immutable"
SCRIPT = b"/* htmx */ " + b"htmx.config = {};" * 2000


def _stand_in(name: str) -> type[BaseHTTPRequestHandler]:
    class StandIn(BaseHTTPRequestHandler):
        """Answers with what it received, as a service behind the gateway would see it."""

        def _answer(self):
            length = int(self.headers.get("content-length") or 0)
            body, kind, headers = DOCS, "text/html", {}
            if self.path.startswith("/static/"):
                body, kind, headers = SCRIPT, "text/javascript; charset=utf-8", {"cache-control": IMMUTABLE}
            elif self.path != "/docs":
                kind = "application/json"
                body = b'{"openapi":"3.1.0","paths":{}}' if self.path == "/openapi.json" else json.dumps(
                    {"service": name, "path": self.path, "body": len(self.rfile.read(length)),
                     "request_id": self.headers.get("x-request-id"), "host": self.headers.get("host"),
                     "forwarded_for": self.headers.get("x-forwarded-for"),
                     "forwarded_proto": self.headers.get("x-forwarded-proto"),
                     "forwarded_host": self.headers.get("x-forwarded-host"),
                     "forwarded_prefix": self.headers.get("x-forwarded-prefix")}).encode()
            self.send_response(200)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            for header, value in headers.items():
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    return StandIn


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """nginx with deploy/nginx.conf; each service name is an upstream of one stand-in."""
    tmp = tmp_path_factory.mktemp("nginx")
    servers = {name: ThreadingHTTPServer(("127.0.0.1", 0), _stand_in(name)) for name in APPS}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    port = _free_port()
    site = (DEPLOY / "nginx.conf").read_text().replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/var/log/nginx/access.log", str(tmp / "access.log"))
    # Docker's DNS is not here: nginx takes a name without a port from its upstream blocks.
    # (test_gateway.py checks the ports; here the stand-ins' ports are random.)
    site = site.replace("http://$service:$service_port", "http://$service")
    upstreams = "".join(f"upstream {name} {{ server 127.0.0.1:{s.server_address[1]}; }}\n"
                        for name, s in servers.items())
    temp_paths = "".join(f"{kind}_temp_path {tmp / kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Started by root, nginx's workers would be nobody, who may not write the console's
    # buffered request bodies into pytest's private temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"{user}pid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\nevents {{}}\n"
        f"http {{\n{temp_paths}{upstreams}{site}\n}}\n")
    nginx = subprocess.Popen(["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                              "-g", "daemon off;"], stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5)
    try:
        _wait_for(client, nginx)
        yield client
    finally:
        client.close()
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in servers.values():
            server.shutdown()
            server.server_close()


def _wait_for(client: httpx.Client, nginx: subprocess.Popen) -> None:
    for _ in range(200):
        if nginx.poll() is not None:
            pytest.fail(f"nginx refused the configuration: {nginx.stderr.read().decode()}")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            threading.Event().wait(0.025)  # nginx is still binding its port
    pytest.fail("nginx did not answer /healthz")


@pytest.mark.parametrize("service", FIVE)
def test_requests_reach_the_service_without_the_prefix(gateway, service):
    answer = gateway.get(f"/api/{service}/v1/tickets/WS20261123000001/timeline?page=2").json()
    assert answer["service"] == service
    assert answer["path"] == "/v1/tickets/WS20261123000001/timeline?page=2"
    assert answer["request_id"]


def test_escaped_characters_arrive_escaped(gateway):
    answer = gateway.get("/api/routing/v1/units/%E6%B1%9F%E9%82%A3%20%E9%95%87").json()
    assert answer["path"] == "/v1/units/%E6%B1%9F%E9%82%A3%20%E9%95%87"


def test_the_docs_load_their_spec_through_the_gateway(gateway):
    assert "url: '/api/sla/openapi.json'" in gateway.get("/api/sla/docs").text
    spec = gateway.get("/api/sla/openapi.json").json()
    assert spec["servers"] == [{"url": "/api/sla"}] and spec["openapi"] == "3.1.0"


def test_a_video_passes_where_a_large_ticket_does_not(gateway):
    video = b"\0" * (3 * 1024 * 1024)
    assert gateway.post("/api/media/v1/media", content=video).json()["body"] == len(video)
    assert gateway.post("/api/intake/v1/tickets", content=video).status_code == 413


def test_unknown_apis_get_a_problem_body(gateway):
    response = gateway.get("/api/payroll/v1/salaries")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path", ["/", "/tickets/WS1", "/tickets/WS20261123000001?tab=timeline&page=2",
                                  "/no/such/page"])
def test_the_console_gets_every_other_path_as_it_came(gateway, path):
    answer = gateway.get(path, headers={"host": "hotline.example.cn"}).json()
    assert answer["service"] == CONSOLE and answer["path"] == path
    assert answer["host"] == "hotline.example.cn"
    assert answer["forwarded_for"] == "127.0.0.1" and answer["forwarded_proto"] == "http"
    assert answer["request_id"]
    assert answer["forwarded_prefix"] is None
    api = gateway.get("/api/intake/v1/tickets/WS1", headers={"host": "hotline.example.cn:8080"}).json()
    assert (api["service"], api["path"]) == ("intake", "/v1/tickets/WS1")
    assert (api["forwarded_host"], api["forwarded_prefix"]) == ("hotline.example.cn:8080", "/api/intake")


def test_the_consoles_static_files_keep_its_cache_header(gateway):
    response = gateway.get("/static/vendor/htmx.min.js?v=0123456789ab",
                           headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response.content == SCRIPT
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-encoding"] == "gzip"


def test_a_console_form_may_carry_photos_and_too_large_a_one_gets_chinese(gateway):
    photos = b"\0" * (5 * 1024 * 1024)
    answer = gateway.post("/intake/new", content=photos).json()
    assert answer["service"] == CONSOLE and answer["body"] == len(photos)
    too_large = gateway.post("/tickets/WS1/act/complete", content=b"\0" * (211 * 1024 * 1024))
    assert too_large.status_code == 413
    assert too_large.headers["content-type"] == "text/html; charset=utf-8"
    assert "附件过大" in too_large.text


def test_the_services_counters_are_not_served_to_the_world(gateway):
    response = gateway.get("/api/intake/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert gateway.get("/api/intake/v1/metrics").json()["service"] == "intake"
