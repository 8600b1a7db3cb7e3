"""All models, imported here so that Alembic and the app see one metadata."""
from app.models.agencies import Agency, AgencyGroup, agency_group_members  # noqa: F401
from app.models.audit import AuditEvent  # noqa: F401
from app.models.directives import (  # noqa: F401
    Directive,
    DirectiveCcLine,
    DirectiveComment,
    DirectiveRecipient,
    Section,
    SectionAssignee,
    Task,
    TaskDeadline,
)
from app.models.jobs import Job  # noqa: F401
from app.models.register import ReceivedCounter, ReceivedEntry, RegisterCounter, RegisterEntry  # noqa: F401
from app.models.tracking import (  # noqa: F401
    Assignment,
    Evidence,
    ExtensionRequest,
    Notification,
    Occurrence,
    ProgressReport,
    Reminder,
    Snapshot,
    SnapshotRow,
)
from app.models.users import User, UserRole  # noqa: F401
from app.models.api_tokens import ApiToken  # noqa: F401,E402
from app.models.search import SearchEntry  # noqa: F401,E402
from app.models.signing import SignedRevision, SigningCredential, TrustRoot  # noqa: F401
from app.models.exchange import ExchangeMessage  # noqa: F401
from app.models.tallies import AgencyScore, AgencyTally, DirectiveTally, DirectiveTotal, TallyState  # noqa: F401,E402
