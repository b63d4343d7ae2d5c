"""Prometheus metrics shared by every service (one registry per process)."""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Histogram(
    "hotline_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter("hotline_events_published_total", "Events relayed", ["producer"])
OUTBOX_LAG = Histogram(
    "hotline_outbox_lag_seconds",
    "Age of the oldest event in a relayed batch",
    ["producer"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300),
)
EVENTS_CONSUMED = Counter(
    "hotline_events_consumed_total", "Events handled", ["queue", "type", "outcome"]
)
