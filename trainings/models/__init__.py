"""The schedule's models and the shared base. Other packages' models live in their own
`models` modules and are imported by dotted name (see `trainings.db.import_all_models`)."""
from .accounts import AccountToken, TokenPurpose, User, UserRole
from .audit import AuditEntry, AuditEntryIsFinal
from .base import LANGUAGES, Base, Language, UTCDateTime, enum_column, utcnow
from .organisations import MemberRole, Membership, Organisation
from .outbox import Job, JobStatus, OutboxAttachment, OutboxMessage, OutboxState, WorkerTask
from .revision import ScheduleRevision
from .schedule import (
    DEFAULT_REMINDER_DAYS,
    MAX_REMINDER_DAYS,
    Programme,
    Region,
    SessionSpeaker,
    SpeakerRole,
    Training,
    TrainingKind,
    TrainingSession,
    TrainingStatus,
    Venue,
    is_valid_timezone,
)

__all__ = [
    "AccountToken", "Membership", "MemberRole", "Organisation", "TokenPurpose", "AuditEntry", "AuditEntryIsFinal",
    "LANGUAGES", "Base", "Job", "JobStatus", "Language", "OutboxAttachment", "OutboxMessage", "OutboxState",
    "WorkerTask", "Programme", "Region", "ScheduleRevision", "SessionSpeaker", "SpeakerRole", "Training",
    "TrainingKind",
    "TrainingSession", "TrainingStatus", "UTCDateTime", "User", "UserRole", "Venue",
    "enum_column", "is_valid_timezone", "utcnow", "DEFAULT_REMINDER_DAYS", "MAX_REMINDER_DAYS",
]
