"""Prometheus metrics of one app: requests, latency, scoring time by stage, store size."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        # One registry per app, so several apps in one process (tests) do not collide.
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "reliability_http_requests", "HTTP requests", ["method", "endpoint", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "reliability_http_request_seconds",
            "HTTP request latency",
            ["method", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stages = Histogram(
            "reliability_scoring_stage_seconds",
            "Scoring time by stage (prepare, embed, lookup, analyze, store, total)",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stored = Gauge("reliability_store_articles", "Articles in the store", registry=self.registry)
        self.indexed = Gauge("reliability_index_articles", "Articles in the story index", registry=self.registry)

    def observe_stage(self, stage: str, seconds: float) -> None:
        self.stages.labels(stage).observe(seconds)

    def observe_request(self, request: Any, response: Any, seconds: float) -> None:
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        self.requests.labels(request.method, endpoint, str(response.status_code)).inc()
        self.latency.labels(request.method, endpoint).observe(seconds)

    def track_store(self, service: Any) -> None:
        def count() -> float:
            try:
                return float(service.store.count())
            except Exception:  # noqa: BLE001 - a scrape must not fail because the store is down
                return float("nan")

        self.stored.set_function(count)
        self.indexed.set_function(lambda: float(len(service.index)))

    def render(self) -> bytes:
        return generate_latest(self.registry)
