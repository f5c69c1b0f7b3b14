"""An administrator finds a dead job on the Status sistem page and puts it back in the queue,
in a browser at phone width (PostgreSQL: the queue is procrastinate's)."""
import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.jobs.models import JobRun
from bebeli.db import utcnow
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, admin
from tests.jobs.conftest import jobs, queue  # noqa: F401 - the fixture empties the queue
from tests.jobs.test_queue import _mail


def test_an_administrator_retries_a_dead_job_from_the_status_page(app, page, queue, ctx):
    staff = admin()
    message = _mail("mati@contoh.go.id")
    db.session.commit()
    [job] = jobs(app, task_name="deliver-mail")
    db.session.execute(sa.text("UPDATE procrastinate_jobs SET status = 'failed', attempts = 5 WHERE id = :id"),
                       {"id": job["id"]})
    db.session.add(JobRun(task_name="deliver-mail", job_id=job["id"], started_at=utcnow(), finished_at=utcnow(),
                          succeeded=False, error="MailNotDelivered: SMTPServerDisconnected"))
    db.session.commit()

    login(page, staff.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto("/admin/")
    page.get_by_role("link", name="Status sistem").click()
    page.wait_for_url("**/admin/sistem/")
    dead = page.get_by_test_id("dead-jobs")
    assert "deliver-mail" in dead.inner_text() and "SMTPServerDisconnected" in dead.inner_text()
    assert page.get_by_test_id("queue-failed").inner_text() == "1"
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Coba lagi").click()
    page.wait_for_load_state()
    assert dialogs == [f"Jalankan ulang tugas #{job['id']} sekarang?"]
    assert f"Tugas #{job['id']} dijadwalkan ulang." in page.content()
    assert page.get_by_test_id("dead-jobs").count() == 0
    assert jobs(app, id=job["id"])[0]["status"] == "todo"
    assert message.id == job["args"]["email_id"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []
