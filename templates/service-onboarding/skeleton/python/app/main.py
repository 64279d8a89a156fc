"""HTTP entry point of ${{ values.name }}: /healthz for the probes, /metrics for Prometheus."""

import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

SERVICE = "${{ values.name }}"
TRACK = os.environ.get("SERVICE_TRACK", "stable")

REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["method", "path", "status", "version"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "path", "version"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class Handler(BaseHTTPRequestHandler):
    server_version = SERVICE

    def do_GET(self):  # noqa: N802 (http.server naming)
        started = time.perf_counter()
        if self.path == "/healthz":
            status, body, content_type = 200, json.dumps({"status": "ok", "service": SERVICE}).encode(), "application/json"
        elif self.path == "/metrics":
            status, body, content_type = 200, generate_latest(), CONTENT_TYPE_LATEST
        else:
            status, body, content_type = 404, json.dumps({"error": "not found"}).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        path = self.path if status != 404 else "other"
        REQUESTS.labels("GET", path, str(status), TRACK).inc()
        LATENCY.labels("GET", path, TRACK).observe(time.perf_counter() - started)

    def log_message(self, format, *args):  # noqa: A002 - keep the access log quiet
        return


def serve(port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("0.0.0.0", port), Handler)


if __name__ == "__main__":
    serve(int(os.environ.get("PORT", "${{ values.port }}"))).serve_forever()
