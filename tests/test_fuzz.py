"""Random requests over every route (issue 11, "Done when"): at least 10,000 on the embedded database,
as every role and anonymously, with odd values in every form field the application knows, JSON bodies,
malformed multipart and odd query strings. Not one may end in a server error, and the server keeps
answering throughout. The generator is seeded, so a failure is reproduced by running the test again."""
import inspect
import random
from collections import Counter
import re

import pytest
from wtforms.fields.core import UnboundField

from tests.helpers import Client, csrf_from

USERS = [None, "vanphong", "soyte", "lanhdao", "vanthu", "admin", "iahdrai.vp", "daklak.vp", "soyte.ld"]
ODD = ["", " ", "²", "١٢", "２０２６", "=1+1", "+SUM(1,2)", "\x00", "\ufffe", "\u202efdp.exe", "a" * 5000,
       "31/02/2026", "00/00/0000", "1/1/1", "-1", "0", "99999999999999999999", "1e309", "NaN", "[]", "{}",
       "<script>alert(1)</script>", "../../etc/passwd", "%00", "a:1", "g:999999999", "a:²", "dong-y", "1",
       "Sở Y tế", "Ủy ban nhân dân tỉnh Kon Tum", "01/12/2026", "docx", "pdf", "xlsx", "y", "on"]
SPECIAL_POSTS = [
    (b"[1, 2]", "application/json"), (b"[" * 3000 + b"]" * 3000, "application/json"), (b'"\\ud800"', "application/json"),
    (b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", "multipart/form-data; boundary=xyz"),
    (b"--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4",
     "multipart/form-data; boundary=xyz"),
    (b"garbage", "multipart/form-data"), (b"a=%ED%A0%80&b=%FF%FE", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00", "application/x-www-form-urlencoded; charset=utf-16"),
]
PER_BACKEND = {"sqlite": 10_000, "postgresql": 1_000}


def form_field_names() -> list[str]:
    """Every field name of every form in the application, and the row names of the directive editor."""
    import app.admin.forms, app.auth.forms, app.directives.forms, app.importer.forms, app.tracking.forms  # noqa

    names = set()
    for module in (app.admin.forms, app.auth.forms, app.directives.forms, app.importer.forms, app.tracking.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for name, value in vars(cls).items():
                if isinstance(value, UnboundField):
                    names.add(name)
    names |= {"sections-0-number", "sections-0-heading", "sections-0-tasks-0-text", "sections-0-tasks-0-id",
              "sections-0-assignees-0-target", "sections-0-assignees-0-role", "sections-0-assignees-0-deadline",
              "recipients-0-name", "cc-0-name", "step", "organisation", "cutoff", "nam", "co-quan"}
    return sorted(names)


def concrete_paths(app, ids: list[int]) -> list[tuple[str, set[str]]]:
    """Each route with its variables filled: existing ids, a missing one, and every choice of `any()`."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static"):
            continue
        variants = [{}]
        for argument, converter in rule._converters.items():
            options = getattr(converter, "items", None) or (
                [str(i) for i in ids] if converter.__class__.__name__ == "IdConverter" else ["x", "1"])
            variants = [{**v, argument: option} for v in variants for option in options]
        for values in variants[:40]:
            path = rule.rule
            for argument, value in values.items():
                path = re.sub(rf"<[^>]*:?{argument}>", str(value), path)
            out.append((path, set(rule.methods) - {"HEAD", "OPTIONS"}))
    return out


@pytest.fixture
def world_ids(live):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Assignment, Directive, Evidence, ExtensionRequest

    with live.app_context():
        ids = {db.session.scalar(select(func.min(model.id))) for model in (Assignment, Directive, ExtensionRequest,
                                                                           Evidence)}
        ids |= {db.session.scalar(select(func.max(Assignment.id))), db.session.scalar(select(func.max(Directive.id)))}
    return sorted(i for i in ids if i) + [999999999]


def test_random_requests_over_every_route_never_fail(live, world_ids, database):
    backend = "postgresql" if "postgresql" in database["SQLALCHEMY_DATABASE_URI"] else "sqlite"
    total = PER_BACKEND[backend]
    generator = random.Random(20261202)
    paths = concrete_paths(live, world_ids)
    fields = form_field_names()
    clients: dict = {}
    tokens: dict = {}

    def client_for(username):
        if username not in clients:
            client = Client(live)
            if username:
                client.login(username)
            clients[username] = client
            tokens[username] = csrf_from(client.get("/dang-nhap" if username is None else "/tai-khoan")
                                         .get_data(as_text=True))
        return clients[username], tokens[username]

    errors, answered, statuses = [], 0, Counter()
    for number in range(total):
        if number % 500 == 0:
            clients.clear()  # a random post may have ended a session (a lock, a new password): start again
            answered += Client(live).get("/dang-nhap").status_code == 200
        username = generator.choice(USERS)
        client, token = client_for(username)
        path, methods = generator.choice(paths)
        method = generator.choice(sorted(methods))
        query = "&".join(f"{generator.choice(fields)}={generator.choice(['²', '-1', '', 'x', '99999999999', '%00'])}"
                         for _ in range(generator.randrange(3)))
        url = f"{path}?{query}" if query else path
        if path == "/dang-xuat":
            token = "x"  # a valid logout ends the session this loop is using
        try:
            if method == "GET":
                response = client.client.get(url)
            elif generator.random() < 0.25:
                body, content_type = generator.choice(SPECIAL_POSTS)
                response = client.client.post(url, data=body, content_type=content_type,
                                              headers={"X-CSRFToken": token})
            else:
                data = {name: generator.choice(ODD) for name in generator.sample(fields, generator.randrange(1, 12))}
                if generator.random() < 0.9:
                    data["csrf_token"] = token
                response = client.client.post(url, data=data)
        except Exception as error:  # TESTING propagates a server error as an exception
            errors.append(f"{method} {url} as {username}: {error.__class__.__name__}: {str(error)[:200]}")
            continue
        statuses[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 503:
            errors.append(f"{method} {url} as {username}: {response.status_code}")
    print(f"{total} requests over {len(paths)} paths on {backend}: {len(errors)} server errors; "
          f"statuses {dict(sorted(statuses.items()))}")
    assert errors == [], "\n".join(errors[:20])
    assert answered == total // 500
