"""The nginx gateway: every service's API under one port, prefix stripped, replicas found."""

import pytest

from services.cli import PORTS
from services.media.inspect import MIB
from services.media.settings import MediaSettings
from tests.deploy.deployment import DEPLOY, FIVE, environment, services
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
        if location.args[0] == "~":
            names = location.args[1].split("(?<service>")[1].split(")")[0]
            proxied |= set(names.split("|"))
    assert proxied == set(FIVE)
    assert dict(GATEWAY.maps["service_port"][1]) == {name: str(port) for name, port in PORTS.items()}


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


def test_unknown_paths_are_a_404_and_the_gateway_has_its_own_health():
    assert GATEWAY.route("/api/payroll/v1/x").status == 404
    assert GATEWAY.route("/v1/tickets").status == 404
    assert GATEWAY.route("/healthz").status == 200
    assert "/healthz" in services()["gateway"]["healthcheck"]["test"][-1]


def test_scaled_replicas_are_found_again_and_again():
    # A variable in proxy_pass makes nginx resolve per request through Docker's DNS,
    # so `--scale routing=3` spreads requests over replicas started after the gateway.
    resolver = GATEWAY.root.one("resolver").args
    assert resolver[0] == "127.0.0.11" and "valid=10s" in resolver
    for location in GATEWAY.locations():
        for proxy in location.all("proxy_pass"):
            assert proxy.args[0].startswith("http://$service:$service_port"), proxy.args


def test_uploads_may_be_larger_on_the_media_path_only():
    def body_limit(path):
        inner = GATEWAY.route(path).location.all("client_max_body_size")
        return (inner or [GATEWAY.server.one("client_max_body_size")])[0].args[0]

    limits = {service: body_limit(f"/api/{service}/v1/media") for service in FIVE}
    assert limits == {"intake": "1m", "routing": "1m", "sla": "1m", "notify": "1m", "media": "210m"}
    # The media service refuses too large a file itself, with a problem body nginx would not give.
    assert int(limits["media"].removesuffix("m")) * MIB > MediaSettings().max_body


def test_compose_mounts_this_file_and_publishes_one_port():
    gateway = services()["gateway"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in gateway["volumes"]
    assert gateway["ports"] == ["${GATEWAY_PORT:-8080}:80"]
