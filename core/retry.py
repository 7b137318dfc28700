"""The one retry policy for work that talks to another server (today: sending mail).

A failure is either transient (the mail server is down, slow or said "try later": try
again, with growing pauses, a bounded number of times) or permanent (the server refused
the address for good: trying again only hurts the sender's reputation).
"""

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

# What a mail server can throw at us while sending; anything else is a bug.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class RetryPolicy:
    """``base`` after the first failure, doubling, capped at ``cap``; after
    ``max_attempts`` attempts, given up."""

    base: timedelta
    cap: timedelta
    max_attempts: int

    def delay(self, attempts: int) -> timedelta:
        # The exponent is bounded so a large attempt count cannot overflow timedelta.
        return min(self.base * 2 ** min(max(attempts - 1, 0), 16), self.cap)

    def next_attempt(self, attempts: int, *, now: datetime) -> datetime | None:
        """When to try again after ``attempts`` failed attempts; None: give up."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts)


# The first retry after five minutes, doubling, capped at six hours: eight attempts span
# about a day, long enough to outlast a mail server's bad night.
MAIL = RetryPolicy(base=timedelta(minutes=5), cap=timedelta(hours=6), max_attempts=8)


def is_permanent(error: BaseException) -> bool:
    """A failure that no retry will mend: the server refused every recipient with a 5xx
    code (a hard bounce), or the error is not a mail server's at all (a bug in what was
    queued). Everything in ``MAIL_ERRORS`` else is worth trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return not isinstance(error, MAIL_ERRORS)
