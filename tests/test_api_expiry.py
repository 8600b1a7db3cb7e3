"""API tokens expire after the days chosen when they are made (30, 90 (default), 365), accepted through
the last day on Việt Nam's calendar; the account page shows the date and marks expired tokens; an
expired token is refused with a 401 of its own. The clock is the suite's pinned one (conftest), moved
by the tests: nothing depends on the wall clock."""
import re
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from app.api import tokens
from app.clock import local_today, utc_at
from app.extensions import db
from app.models import ApiToken
from tests.helpers import Client, user_named

GENERAL_401 = "Thiếu mã truy cập, hoặc mã không đúng, đã bị thu hồi hay tài khoản đã bị khóa."


def make_token(app, username="vanphong", days=tokens.DEFAULT_DAYS, name="kiểm thử") -> tuple[int, str]:
    with app.app_context():
        row, token = tokens.create(user_named(username), name, days)
        db.session.commit()
        return row.id, token


def bearer(token):
    return {"headers": {"Authorization": f"Bearer {token}"}}


def local_instant(day, wall=time.min) -> datetime:
    """An aware UTC instant for the clock: `wall` o'clock in Việt Nam on `day`."""
    return utc_at(day, wall).replace(tzinfo=timezone.utc)


# ---- expiry -----------------------------------------------------------------------------------

def test_a_token_made_on_the_page_lasts_the_days_chosen_shown_as_a_date(demo):
    client = Client(demo).login("vanphong")
    page = client.get("/tai-khoan/ma-truy-cap").get_data(as_text=True)
    assert re.search(r'<option selected value="90">90 ngày</option>', page)  # the default
    for label in ("30 ngày", "365 ngày"):
        assert label in page
    response = client.post_form("/tai-khoan/ma-truy-cap", {"name": "Báo cáo quý", "days": "30"})
    assert response.status_code == 200
    expires = local_today() + timedelta(days=30)
    assert f"Dùng được đến hết ngày {expires:%d/%m/%Y}." in response.get_data(as_text=True)
    client.post_form("/tai-khoan/ma-truy-cap", {"name": "Không chọn hạn"})  # an older form: the default
    with demo.app_context():
        rows = {row.name: row.expires_on for row in db.session.scalars(select(ApiToken))}
    assert rows == {"Báo cáo quý": expires, "Không chọn hạn": local_today() + timedelta(days=90)}
    page = client.get("/tai-khoan/ma-truy-cap").get_data(as_text=True)
    shown = re.findall(r'data-testid="token-expiry">([^<]*)<', page)
    assert shown == [f"{local_today() + timedelta(days=90):%d/%m/%Y}", f"{expires:%d/%m/%Y}"]
    assert "Đã hết hạn" not in page


@pytest.mark.parametrize("days", ["0", "7", "366", "never", "-30", ""])
def test_only_the_offered_lifetimes_are_accepted(demo, days):
    client = Client(demo).login("vanphong")
    response = client.post_form("/tai-khoan/ma-truy-cap", {"name": "x", "days": days})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True) or "không phải lựa chọn" in \
        response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0
        with pytest.raises(tokens.TokenError, match="30 ngày, 90 ngày, 365 ngày"):
            tokens.create(user_named("vanphong"), "x", 7)


def test_a_token_works_through_its_last_day_and_is_refused_from_the_next(demo, clock):
    ident, token = make_token(demo, days=30)
    last_day = local_today() + timedelta(days=30)
    api = demo.test_client()
    assert api.get("/api/v1/directives", **bearer(token)).status_code == 200
    clock.move_to(local_instant(last_day, time(23, 59, 58)))  # the last minute of its last day, Việt Nam time
    assert api.get("/api/v1/directives", **bearer(token)).status_code == 200
    with demo.app_context():
        used = db.session.get(ApiToken, ident).last_used_at
    clock.move_to(local_instant(last_day + timedelta(days=1)))  # midnight in Việt Nam (17:00 UTC)
    refused = api.get("/api/v1/directives", **bearer(token))
    assert refused.status_code == 401 and refused.is_json
    assert refused.json == {"code": 401, "status": "Unauthorized",
                            "message": f"Mã truy cập đã hết hạn (dùng được đến hết ngày {last_day:%d/%m/%Y}). "
                                       "Tạo mã mới tại Tài khoản → Mã truy cập API."}
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    for url in ("/api/v1/assignments", "/api/v1/dashboard", "/api/v1/khong-co-dau"):
        assert api.get(url, **bearer(token)).status_code in (401, 404)
    with demo.app_context():
        assert db.session.get(ApiToken, ident).last_used_at == used  # a refused token is not "used"
    # the account page marks it, and lists it after the tokens still in use
    _, fresh = make_token(demo, name="mã mới")
    client = Client(demo).login("vanphong")
    page = client.get("/tai-khoan/ma-truy-cap").get_data(as_text=True)
    assert page.count('data-testid="token-expired"') == 1
    names = re.findall(r'<tr data-testid="token-row">\s*<td>([^<]*)</td>', page)
    assert names == ["mã mới", "kiểm thử"]
    assert f"{last_day:%d/%m/%Y}" in page
    assert api.get("/api/v1/directives", **bearer(fresh)).status_code == 200


def test_a_revoked_or_locked_token_past_its_day_still_gets_the_general_message(demo, clock):
    """The expiry message is given only for a token that would otherwise be accepted: it tells nobody
    whether a revoked token or a locked account's token ever existed."""
    revoked_id, revoked = make_token(demo, "vanphong", days=30)
    _, locked = make_token(demo, "soyte", days=30)
    with demo.app_context():
        tokens.revoke(user_named("vanphong"), revoked_id)
        user_named("soyte").active = False
        db.session.commit()
    clock.move_to(local_instant(local_today() + timedelta(days=40), time(9)))
    api = demo.test_client()
    for token in (revoked, locked, "tdcd_" + "x" * 40):
        answer = api.get("/api/v1/directives", **bearer(token))
        assert answer.status_code == 401 and answer.json["message"].startswith(GENERAL_401)


def test_expired_tokens_do_not_count_against_the_twenty_in_use(demo, clock):
    for number in range(tokens.MAX_ACTIVE):
        make_token(demo, days=30, name=f"mã {number}")
    with demo.app_context(), pytest.raises(tokens.TokenError, match="tối đa 20"):
        tokens.create(user_named("vanphong"), "một mã nữa", 30)
    clock.move_to(local_instant(local_today() + timedelta(days=31), time(8)))
    make_token(demo, name="một mã nữa")
