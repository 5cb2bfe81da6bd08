"""Test data built straight in the database (inside the test's rolled-back transaction), and
access tokens for any principal: one module per domain, composed into `World`."""

from tests.factories.audit import AuditFactories
from tests.factories.auth import AuthFactories
from tests.factories.evaluations import EvaluationsFactories
from tests.factories.feedback import FeedbackFactories
from tests.factories.org import PASSWORD, OrgFactories, nip_for
from tests.factories.plans import PlansFactories
from tests.factories.training import TrainingFactories
from tests.factories.webhooks import WebhooksFactories

__all__ = ["PASSWORD", "World", "nip_for"]


class World(
    OrgFactories,
    AuthFactories,
    PlansFactories,
    FeedbackFactories,
    AuditFactories,
    EvaluationsFactories,
    TrainingFactories,
    WebhooksFactories,
):
    """Builds every domain's rows for a test: `World(connection, app)`."""
