"""Status sistem (administrators): readiness, the queue, the periodic jobs and the dead jobs,
with a retry button for each."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bebeli.auth.permissions import role_required
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.ids import bounded_int, page_arg
from bebeli.jobs import bp
from bebeli.jobs.health import dead_jobs, periodic_health, queue_stats
from bebeli.jobs.queue import PROCRASTINATE
from bebeli.jobs.services import retry_dead_job
from bebeli.observability import readiness_checks

DEAD_PER_PAGE = 20
READINESS_LABELS = {"database": _l("Basis data"), "redis": _l("Redis")}
MODE_LABELS = {
    PROCRASTINATE: _l("Antrean PostgreSQL (procrastinate), dikerjakan oleh proses \"flask worker\"."),
    "inline": _l("Tugas dijalankan langsung di proses web setelah permintaan selesai (JOB_QUEUE=inline)."),
}
MAX_JOB_ID = 2**63 - 1  # procrastinate_jobs.id is a bigint


@dataclass
class ListPage:
    """One page of a list that is not an ORM query, for _partials/pagination.html."""
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)

    def iter_pages(self, left_edge=1, left_current=1, right_current=2, right_edge=1):
        last = 0
        for number in range(1, self.pages + 1):
            if (number <= left_edge or self.page - left_current <= number <= self.page + right_current
                    or number > self.pages - right_edge):
                if number != last + 1:
                    yield None
                yield number
                last = number


@bp.get("/")
@role_required("admin")
def status():
    checks, degraded = readiness_checks()  # first: its database probe ends the transaction
    page_number = page_arg()
    jobs, total = dead_jobs(page_number, DEAD_PER_PAGE)
    stats = queue_stats()
    periodic = [{**vars(row), "interval": format_timedelta(row.every, threshold=1)} for row in periodic_health()]
    return render_template("jobs/status.html", checks=checks, degraded=degraded, stats=stats, periodic=periodic,
                           dead=ListPage(jobs, page_number, DEAD_PER_PAGE, total), can_retry=stats.mode == PROCRASTINATE,
                           readiness_labels=READINESS_LABELS, mode_label=MODE_LABELS[stats.mode],
                           oldest_age=format_timedelta(stats.oldest_age_seconds, threshold=1) if stats.depth else "–")


@bp.post("/ulang")
@role_required("admin")
def retry():
    if not EmptyForm().validate_on_submit():
        flash(_("Sesi formulir telah kedaluwarsa. Muat ulang halaman dan kirim lagi."), "error")
        return redirect(url_for("jobs.status"))
    job_id = bounded_int(request.form.get("job_id"), 1, MAX_JOB_ID)
    perform(lambda: retry_dead_job(job_id, actor=current_user._get_current_object()),
            done=_("Tugas #%(id)s dijadwalkan ulang.", id=job_id))
    return redirect(url_for("jobs.status"))
