"""Property-based checks of the API against its own OpenAPI document (schemathesis).

For every operation, generated requests never make the server fail and every answer matches the
schema the document declares for it.
"""

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from participation.extensions import db


@pytest.fixture
def api_schema(
    app_factory,
    create_round,
    create_pillar,
    create_neighbourhood,
    create_proposal,
    create_comment,
    create_workshop,
    create_deliberation,
    add_event,
):
    """A small world to read, and the document of an app of its own (isolated requests)."""
    pillar = create_pillar(slug="mobilite")
    create_neighbourhood()
    round_ = create_round(pillars=[pillar])
    workshop = create_workshop(round_, attendance=10)
    proposal = create_proposal(round=round_, support_count=2)
    create_proposal(round=round_, origin="workshop", workshop=workshop)
    add_event(proposal, from_status="submitted", to_status="published")
    comment = create_comment(proposal)
    create_comment(proposal, parent=comment)
    deliberation = create_deliberation(pillar=pillar, held_on=date(2018, 12, 11))
    proposal.deliberation = deliberation
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_factory())


# A few examples per operation keep the run short; no example database between runs.
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_api_conforms_to_its_document(api_schema):
    # schemathesis.pytest.from_fixture (lazy parametrization) fails under pytest 9 (it sets
    # Function._nodeid): each operation gets its own Hypothesis run here instead.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 13
    for operation in operations:

        @SETTINGS
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        check()
