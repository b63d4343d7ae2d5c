"""The nginx gateway: the console at /, every API under /api/<service>/, replicas found."""

import pytest

from services.cli import PORTS
from services.media.inspect import MIB
from services.media.settings import MediaSettings
from tests.deploy.deployment import APPS, CONSOLE, DEPLOY, FIVE, environment, services
from tests.deploy.nginx import Gateway

GATEWAY = Gateway((DEPLOY / "nginx.conf").read_text())


@pytest.mark.parametrize("service", FIVE)
def test_each_api_is_served_under_its_prefix_with_the_prefix_stripped(service):
    port = PORTS[service]
    assert GATEWAY.route(f"/api/{service}/v1/tickets").upstream == f"http://{service}:{port}/v1/tickets"
    assert GATEWAY.route(f"/api/{service}/readyz").upstream == f"http://{service}:{port}/readyz"
    assert environment(services()[service])["PORT"] == str(port)


def test_the_locations_cover_exactly_the_five_services():
    proxied = set()
    for location in GATEWAY.locations():
        if location.args[0] == "~" and "(?<service>" in location.args[1]:
            names = location.args[1].split("(?<service>")[1].split(")")[0]
            proxied |= set(names.split("|"))
    assert proxied == set(FIVE)
    assert dict(GATEWAY.maps["service_port"][1]) == {name: str(PORTS[name]) for name in APPS}


@pytest.mark.parametrize("service", FIVE)
def test_each_services_docs_work_through_the_gateway(service):
    docs = GATEWAY.route(f"/api/{service}/docs")
    assert docs.upstream == f"http://{service}:{PORTS[service]}/docs"
    rewrites = {docs.substitute(a): docs.substitute(b)
                for a, b in (f.args for f in docs.location.all("sub_filter"))}
    assert rewrites["'/openapi.json'"] == f"'/api/{service}/openapi.json'"
    spec = GATEWAY.route(f"/api/{service}/openapi.json")
    assert spec.upstream == f"http://{service}:{PORTS[service]}/openapi.json"
    (rewrite,) = spec.location.all("sub_filter")
    assert f'"servers":[{{"url":"/api/{service}"}}]' in spec.substitute(rewrite.args[1])


CONSOLE_URL = f"http://{CONSOLE}:{PORTS[CONSOLE]}"


@pytest.mark.parametrize("path", ["/", "/tickets/WS1", "/tickets/WS20261123000001/act/sign",
                                  "/login", "/intake/new", "/static/vendor/htmx.min.js", "/v1/tickets"])
def test_every_path_outside_the_apis_goes_to_the_console_as_it_came(path):
    # Unknown pages too: the console answers them with its own 404 page in Chinese.
    assert GATEWAY.route(path).upstream == CONSOLE_URL + path
    assert environment(services()[CONSOLE])["PORT"] == str(PORTS[CONSOLE])


def test_the_apis_stay_under_their_prefix_beside_the_console():
    assert GATEWAY.route("/api/intake/v1/tickets/WS1").upstream == "http://intake:8001/v1/tickets/WS1"
    assert GATEWAY.route("/api/routing/v1/units").upstream == "http://routing:8002/v1/units"


def test_unknown_apis_are_a_problem_404_and_the_gateway_has_its_own_health():
    for path in ("/api/payroll/v1/x", f"/api/{CONSOLE}/", "/api/intake"):
        routed = GATEWAY.route(path)
        assert routed.status == 404, path
        assert routed.location.one("default_type").args == ["application/problem+json"]
    assert GATEWAY.route("/healthz").status == 200
    assert "/healthz" in services()["gateway"]["healthcheck"]["test"][-1]


@pytest.mark.parametrize("service", FIVE)
def test_the_services_counters_stay_inside(service):
    assert GATEWAY.route(f"/api/{service}/metrics").status == 404
    assert GATEWAY.route(f"/api/{service}/v1/metrics").upstream is not None  # only /metrics itself


def test_the_console_sees_the_host_and_the_client_the_browser_used():
    headers = {h.args[0]: h.args[1] for h in GATEWAY.server.all("proxy_set_header")}
    assert headers["Host"] == "$host"
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-Host"] == "$http_host"
    assert headers["X-Forwarded-Prefix"] == "$api_prefix"
    assert GATEWAY.route("/api/intake/open311/v2/discovery.xml").variables["api_prefix"] == "/api/intake"
    assert GATEWAY.route("/tickets/WS1").variables["api_prefix"] == ""  # an empty header is not sent
    # One proxy_set_header in a location would drop every one the server sets.
    for path in ("/", "/static/console.css"):
        assert GATEWAY.route(path).location.all("proxy_set_header") == [], path


def test_the_console_static_files_keep_the_consoles_cache_headers():
    # Their URLs carry a content hash; the console says how long to keep them, the gateway
    # neither adds its own nor hides the console's.
    static = GATEWAY.route("/static/console.css").location
    assert static.args == ["/static/"]
    for block in (GATEWAY.server, static):
        for name in ("expires", "add_header", "proxy_hide_header", "proxy_ignore_headers"):
            assert block.all(name) == [], f"{name} in {block.name} {block.args}"


def test_scaled_replicas_are_found_again_and_again():
    # A variable in proxy_pass makes nginx resolve per request through Docker's DNS,
    # so `--scale routing=3` (or console=3) spreads requests over replicas started later.
    resolver = GATEWAY.root.one("resolver").args
    assert resolver[0] == "127.0.0.11" and "valid=10s" in resolver
    for location in GATEWAY.locations():
        for proxy in location.all("proxy_pass"):
            assert proxy.args[0].startswith("http://$service:$service_port"), proxy.args


def _body_limit(path: str) -> str:
    inner = GATEWAY.route(path).location.all("client_max_body_size")
    return (inner or [GATEWAY.server.one("client_max_body_size")])[0].args[0]


def test_uploads_may_be_larger_on_the_media_path_and_the_console_only():
    limits = {service: _body_limit(f"/api/{service}/v1/media") for service in FIVE}
    assert limits == {"intake": "1m", "routing": "1m", "sla": "1m", "notify": "1m", "media": "210m"}
    # The media service refuses too large a file itself, with a problem body nginx would not give.
    assert int(limits["media"].removesuffix("m")) * MIB > MediaSettings().max_body
    # The console's forms carry a call's photos or a unit's evidence, which it passes on to media.
    for path in ("/intake/new", "/tickets/WS20261123000001/act/complete"):
        assert _body_limit(path) == limits["media"], path


def test_too_large_a_console_form_gets_a_page_in_chinese():
    (error_page,) = GATEWAY.route("/intake/new").location.all("error_page")
    assert error_page.args[0] == "413"
    page = GATEWAY.named(error_page.args[1])
    assert page.one("return").args[0] == "413"
    assert page.one("default_type").args == ["text/html"] and page.one("charset").args == ["utf-8"]
    assert "附件过大" in page.one("return").args[1]
    assert f"{_body_limit('/intake/new').removesuffix('m')} MB" in page.one("return").args[1]


def test_compose_mounts_this_file_and_publishes_one_port():
    gateway = services()["gateway"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in gateway["volumes"]
    assert gateway["ports"] == ["${GATEWAY_PORT:-8080}:80"]
