"""schemathesis against the API's own OpenAPI description: for every operation, generated requests
(with a valid token of a staff member who has directives, assignments and a dashboard) never get a
server error, and every response matches the status codes, media types and schemas described.
Kept small (a few examples per operation) so the whole run stays well under two minutes."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from app.api import tokens
from app.extensions import db
from tests.helpers import user_named

EXAMPLES = 8


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """schemathesis 4.32 renames the test node through `_nodeid`, which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_schema(live):
    with live.app_context():
        _row, token = tokens.create(user_named("vanphong"), "schemathesis")
        db.session.commit()
    live.config["SCHEMATHESIS_TOKEN"] = token
    # generated requests are many: a limit of their own, far above them (tests/test_api_limits.py tests the limit)
    live.config["API_RATE_LIMITS"] = "1000000/minute"
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", live)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_matches_its_description(case, live):
    token = live.config["SCHEMATHESIS_TOKEN"]
    # identity: the WSGI transport does not decode the brotli the server would otherwise send
    case.call_and_validate(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])


def test_the_description_is_valid_openapi(api_schema):
    operations = list(api_schema.get_all_operations())
    assert len(operations) >= 11
