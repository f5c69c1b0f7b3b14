"""Job tasks deferred by the application (`defer(task, **kwargs)` in bebeli/jobs/queue.py)."""
from __future__ import annotations

from procrastinate import RetryStrategy

from bebeli.jobs.queue import task

# A refused or silent mail server is tried again after 5 s, 25 s, 2 min, 10 min (5 ** attempt);
# after the fifth failure the job is dead: listed on the status page, retried from there.
MAIL_RETRY = RetryStrategy(max_attempts=4, exponential_wait=5)


@task("deliver-mail", retry=MAIL_RETRY, queue="mail")
def deliver_mail(email_id: int) -> None:
    """Send one queued message (`OutboundEmail`); raises while the server refuses it."""
    from bebeli.mail.services import deliver_one

    deliver_one(email_id)
