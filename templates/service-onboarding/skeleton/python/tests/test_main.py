import json
import threading
import urllib.request

from app.main import serve


def test_healthz_and_metrics():
    server = serve(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/healthz") as res:
            assert res.status == 200
            assert json.load(res)["status"] == "ok"
        with urllib.request.urlopen(f"{base}/metrics") as res:
            assert b"http_requests_total" in res.read()
    finally:
        server.shutdown()
