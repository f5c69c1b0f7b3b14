from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bebeli.extensions import db


class JobRun(db.Model):
    """What a job did: every run of a periodic job (its health is the time of the last success)
    and every failed run of any job, with its error (procrastinate keeps no error text; the
    status page shows it beside the dead job)."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.Index("ix_job_runs_task_name_succeeded_finished_at", "task_name", "succeeded", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(sa.String(128))
    job_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)  # procrastinate_jobs.id
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    succeeded: Mapped[bool]
    error: Mapped[str | None] = mapped_column(sa.Text)
