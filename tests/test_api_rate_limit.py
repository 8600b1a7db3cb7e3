"""Requests per token: each token may send API_RATE_LIMITS requests over the whole API (429 past it,
in the API's error format, with Retry-After and the X-RateLimit headers); calls without an accepted
token count against their address; the counts live in memory for one process and in Redis, shared by
every process (the server on 127.0.0.1:6379, keys under a prefix of the test's own). The clock is the
suite's pinned one (conftest), moved by the tests: nothing depends on the wall clock."""
import json
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest

from app import create_app
from app.api import tokens
from app.clock import LOCAL_TZ
from app.extensions import db
from tests.helpers import ROOT, Client, user_named

REDIS_URL = "redis://127.0.0.1:6379/0"


def make_token(app, username="vanphong", name="kiểm thử") -> tuple[int, str]:
    with app.app_context():
        row, token = tokens.create(user_named(username), name)
        db.session.commit()
        return row.id, token


def bearer(token, address="127.0.0.1"):
    return {"headers": {"Authorization": f"Bearer {token}"}, "environ_base": {"REMOTE_ADDR": address}}


# ---- rate limit -------------------------------------------------------------------------------

def test_past_its_limit_a_token_gets_429_in_the_api_format_and_others_do_not(demo, clock):
    demo.config["API_RATE_LIMITS"] = "3/minute;100/hour"
    _, first = make_token(demo, "vanphong")
    _, second = make_token(demo, "vanphong", name="mã thứ hai")  # the same user, the same address
    api = demo.test_client()
    remaining = []
    for url in ("/api/v1/directives", "/api/v1/received", "/api/v1/dashboard"):  # one count for the whole API
        response = api.get(url, **bearer(first))
        assert response.status_code == 200, url
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    refused = api.get("/api/v1/assignments", **bearer(first))
    assert refused.status_code == 429 and refused.is_json
    assert set(refused.json) == {"code", "status", "message"} and refused.json["code"] == 429
    assert refused.json["status"] == "Too Many Requests"
    message = refused.json["message"]
    assert message.startswith("Quá nhiều yêu cầu: mã truy cập này được gửi tối đa 3 yêu cầu mỗi phút.")
    retry = int(refused.headers["Retry-After"])
    said = int(re.search(r"Thử lại sau (\d+) giây \(tiêu đề Retry-After\)\.$", message).group(1))
    assert 1 <= retry <= 60 and abs(said - retry) <= 1  # read a few milliseconds apart
    assert refused.headers["X-RateLimit-Remaining"] == "0" and refused.headers["X-RateLimit-Reset"]
    assert api.post("/api/v1/directives", json={"subject": "x"}, **bearer(first)).status_code == 429
    # another token of the same user from the same address has its own count
    assert api.get("/api/v1/directives", **bearer(second)).status_code == 200
    clock.shift(timedelta(seconds=61))
    assert api.get("/api/v1/directives", **bearer(first)).status_code == 200


def test_the_hourly_window_holds_after_the_minute_passes(demo, clock):
    demo.config["API_RATE_LIMITS"] = "5/minute;6/hour"
    _, token = make_token(demo)
    api = demo.test_client()
    for _ in range(5):
        assert api.get("/api/v1/received", **bearer(token)).status_code == 200
    clock.shift(timedelta(seconds=61))
    assert api.get("/api/v1/received", **bearer(token)).status_code == 200
    refused = api.get("/api/v1/received", **bearer(token))
    assert refused.status_code == 429 and "6 yêu cầu mỗi giờ" in refused.json["message"]
    assert int(refused.headers["Retry-After"]) > 60


def test_calls_without_an_accepted_token_are_counted_by_address(demo, clock):
    demo.config["API_RATE_LIMITS"] = "3/minute"
    _, token = make_token(demo)
    api = demo.test_client()
    for sent in ({"headers": {}, "environ_base": {"REMOTE_ADDR": "10.0.0.7"}}, bearer("tdcd_sai", "10.0.0.7"),
                 bearer("tdcd_" + "y" * 40, "10.0.0.7")):
        assert api.get("/api/v1/directives", **sent).status_code == 401
    refused = api.get("/api/v1/directives", **bearer("tdcd_khac", "10.0.0.7"))
    assert refused.status_code == 429
    assert refused.json["message"].startswith("Quá nhiều yêu cầu: địa chỉ này được gửi tối đa 3 yêu cầu")
    assert api.get("/api/v1/directives", **bearer("tdcd_khac", "10.0.0.8")).status_code == 401  # another address
    assert api.get("/api/v1/directives", **bearer(token, "10.0.0.7")).status_code == 200  # a token has its own
    # the description and the documentation page are not limited
    for _ in range(4):
        assert api.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


def test_the_description_documents_429_on_every_operation(demo):
    spec = demo.test_client().get("/api/v1/openapi.json").json
    operations = [op for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)
                  and "responses" in op]
    assert len(operations) >= 11
    for operation in operations:
        documented = operation["responses"]["429"]
        assert documented["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
        assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} \
            <= set(documented["headers"])


def test_the_web_pages_are_not_counted_with_the_api(demo):
    demo.config["API_RATE_LIMITS"] = "2/minute"
    client = Client(demo).login("vanphong")
    for _ in range(4):
        assert client.get("/tai-khoan/ma-truy-cap").status_code == 200


# ---- Redis: one count for every process ----------------------------------------------------------

def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


OTHER_PROCESS = """
import json, sys
import time_machine
from app import create_app
config, instant, token, count = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
with time_machine.travel(instant):  # the parent's pinned clock, so the token is as valid here as there
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})
    client = app.test_client()
    for _ in range(count):
        assert client.get("/api/v1/received", headers={"Authorization": "Bearer " + token}).status_code == 200
"""


def test_with_redis_every_process_shares_each_tokens_count(database, demo):
    """This process and a child, both on the Redis server at 127.0.0.1:6379 with keys of their own (a
    prefix made for this test), count the same token's requests."""
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    prefix = f"test-api-{uuid.uuid4().hex}"
    config = {**database, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
              "API_RATE_LIMITS": "5/minute", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    _, token = make_token(demo)
    _, other = make_token(demo, name="mã khác")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})  # the shared limiter now on Redis
    try:
        now = datetime.now(LOCAL_TZ).isoformat()  # the pinned clock
        subprocess.run([sys.executable, "-c", OTHER_PROCESS, json.dumps(config), now, token, "4"], cwd=ROOT,
                       check=True, capture_output=True, timeout=120)
        client = app.test_client()
        last = client.get("/api/v1/received", **bearer(token))
        assert last.status_code == 200 and last.headers["X-RateLimit-Remaining"] == "0"  # 4 there, 1 here
        refused = client.get("/api/v1/received", **bearer(token))
        assert refused.status_code == 429 and "5 yêu cầu mỗi phút" in refused.json["message"]
        assert client.get("/api/v1/received", **bearer(other)).status_code == 200
        keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*")]
        assert len(keys) == 2 and all(f"/{prefix}/token:" in key for key in keys)  # one count per token
    finally:
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
