"""Queued email and background jobs: work written in the same transaction as its cause."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow


class OutboxState(enum.StrEnum):
    pending = "pending"
    failed = "failed"
    delivered = "delivered"


class OutboxMessage(Base):
    """One email waiting to be sent. The worker (`capacita worker`, or `send-mail`) delivers it
    and marks it sent, or, once it gives up, failed (`failed_at`, with `last_error`)."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_positive"),
        sa.CheckConstraint(
            "calendar_method IS NULL OR calendar_method IN ('REQUEST', 'CANCEL', 'PUBLISH')",
            name="calendar_method_known",
        ),
        sa.CheckConstraint("sent_at IS NULL OR failed_at IS NULL", name="delivered_or_failed"),
        sa.Index("ix_outbox_pending", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[str] = mapped_column(sa.Text)  # comma-separated addresses
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    # An iTIP calendar part (RFC 6047), sent as text/calendar beside the text and HTML.
    calendar: Mapped[str | None] = mapped_column(sa.Text)
    calendar_method: Mapped[str | None] = mapped_column(sa.String(10))
    language: Mapped[str] = mapped_column(sa.String(5), default="es")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # given up
    last_error: Mapped[str] = mapped_column(sa.Text, default="")

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


    @property
    def state(self) -> OutboxState:
        if self.sent_at is not None:
            return OutboxState.delivered
        return OutboxState.failed if self.failed_at is not None else OutboxState.pending


class OutboxAttachment(Base):
    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


class JobStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(Base):
    """Long work started from a page (bulk exports) that reports progress instead of
    holding a request open; `capacita worker` claims it (by `kind`, see trainings/worker.py)
    and its result is a file under the var directory, which every machine shares."""

    __tablename__ = "job"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= total", name="progress_range"),
        sa.Index("ix_job_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    parameters: Mapped[str] = mapped_column(sa.Text, default="{}")  # JSON
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "status"), default=JobStatus.queued)
    progress: Mapped[int] = mapped_column(sa.Integer, default=0)
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    result_path: Mapped[str] = mapped_column(sa.String(500), default="")
    result_name: Mapped[str] = mapped_column(sa.String(200), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Moved on by every progress report: a running job whose worker stopped reporting (its
    # machine went down) is taken up again by another worker (trainings/worker.py).
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str] = mapped_column(sa.String(200), default="")  # host and process that ran it


class WorkerTask(Base):
    """When a periodic task of the worker (`config.add_worker_task`) runs next. The row is what
    several workers claim, so that each run happens once whichever worker does it."""

    __tablename__ = "worker_task"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    next_run_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
