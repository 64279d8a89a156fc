"""HTTP API of ${{ values.name }}.

- GET /healthz (probes) and GET /metrics (Prometheus, through the sidecar agent);
- GET /api/v1/items, GET /api/v1/items/<id>, POST /api/v1/items with {"name": "..."}.
  POST honours Idempotency-Key: a retried request returns the item created first.

Metrics: http_requests_total{method,path,status,track} and
http_request_duration_seconds{method,path,track}; `path` is the route, never the raw URL.
"""

import json
import os
import signal
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

SERVICE = "${{ values.name }}"
TRACK = os.environ.get("SERVICE_TRACK", "stable")
MAX_BODY_BYTES = 64 * 1024

REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "path", "status", "track"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "path", "track"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

ITEMS = {}
BY_IDEMPOTENCY_KEY = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server_version = SERVICE

    def _route(self, method):
        path = self.path.split("?", 1)[0]
        if method == "GET" and path == "/healthz":
            return "/healthz", 200, {"status": "ok", "service": SERVICE}
        if method == "GET" and path == "/metrics":
            return "/metrics", 200, generate_latest()
        if path == "/api/v1/items":
            if method == "GET":
                with LOCK:
                    return "/api/v1/items", 200, {"items": list(ITEMS.values())}
            if method == "POST":
                return ("/api/v1/items",) + self._create()
            return "/api/v1/items", 405, {"error": "method not allowed"}
        if method == "GET" and path.startswith("/api/v1/items/"):
            item = ITEMS.get(path[len("/api/v1/items/"):])
            return "/api/v1/items/:id", (200 if item else 404), (item or {"error": "not found"})
        return "other", 404, {"error": "not found"}

    def _create(self):
        key = self.headers.get("Idempotency-Key")
        with LOCK:
            if key and key in BY_IDEMPOTENCY_KEY:
                return 200, ITEMS[BY_IDEMPOTENCY_KEY[key]]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return 413, {"error": "body too large"}
        try:
            parsed = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            parsed = {}
        name = parsed.get("name") if isinstance(parsed, dict) else None
        if not isinstance(name, str) or not name.strip():
            return 400, {"error": "name: a non-empty string is required"}
        item = {"id": str(uuid.uuid4()), "name": name, "createdAt": datetime.now(timezone.utc).isoformat()}
        with LOCK:
            ITEMS[item["id"]] = item
            if key:
                BY_IDEMPOTENCY_KEY[key] = item["id"]
        return 201, item

    def _handle(self, method):
        started = time.perf_counter()
        try:
            route, status, body = self._route(method)
        except Exception as error:  # noqa: BLE001 - answer 500, never drop the connection
            route, status, body = "other", 500, {"error": str(error)}
        if isinstance(body, bytes):
            payload, content_type = body, CONTENT_TYPE_LATEST
        else:
            payload, content_type = json.dumps(body).encode(), "application/json"
        # counted before the answer is written: a client that reads it and
        # then scrapes /metrics (another thread) sees its own request
        REQUESTS.labels(method, route, str(status), TRACK).inc()
        LATENCY.labels(method, route, TRACK).observe(time.perf_counter() - started)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._handle("GET")

    def do_POST(self):  # noqa: N802
        self._handle("POST")

    def log_message(self, format, *args):  # noqa: A002 - keep the access log quiet
        return


def serve(port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    # in-flight requests finish before the process exits on SIGTERM
    server.daemon_threads = False
    return server


def main() -> None:
    server = serve(int(os.environ.get("PORT", "${{ values.port }}")))

    # As PID 1 in a container a process gets no default signal handlers:
    # without this, SIGTERM is ignored and every rollout waits the full grace
    # period. shutdown() must run outside the serving thread.
    def stop(signum, _frame):
        print(f"{SERVICE}: signal {signum}, shutting down", flush=True)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"{SERVICE} listening on :{server.server_address[1]}", flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
