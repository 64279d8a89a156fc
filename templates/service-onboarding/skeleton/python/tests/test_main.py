import json
import threading
import urllib.error
import urllib.request

from app.main import serve


def start():
    server = serve(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def request(url, method="GET", body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_healthz_and_metrics():
    server, base = start()
    try:
        status, body = request(f"{base}/healthz")
        assert status == 200
        assert json.loads(body)["status"] == "ok"
        status, body = request(f"{base}/metrics")
        assert b'http_requests_total{method="GET",path="/healthz",status="200",track="stable"} 1.0' in body
    finally:
        server.shutdown()


def test_items_and_idempotent_post():
    server, base = start()
    try:
        headers = {"Content-Type": "application/json", "Idempotency-Key": "k1"}
        status, body = request(f"{base}/api/v1/items", "POST", {"name": "first"}, headers)
        assert status == 201
        created = json.loads(body)
        status, body = request(f"{base}/api/v1/items", "POST", {"name": "first"}, headers)
        assert json.loads(body)["id"] == created["id"]
        status, body = request(f"{base}/api/v1/items/{created['id']}")
        assert status == 200 and json.loads(body)["name"] == "first"
        status, _ = request(f"{base}/api/v1/items/nope")
        assert status == 404
    finally:
        server.shutdown()


def test_post_without_name_is_400_naming_the_field():
    server, base = start()
    try:
        status, body = request(f"{base}/api/v1/items", "POST", {})
        assert status == 400
        assert json.loads(body)["error"].startswith("name:")
    finally:
        server.shutdown()
