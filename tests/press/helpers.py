"""What a journalist types into the media inquiry form."""

import time
from datetime import timedelta

from django.utils import timezone

from press.forms import started_token as form_token


def started_token(seconds_ago=10):
    """A genuine form token, as if the form had been shown ``seconds_ago``."""
    return form_token(started=time.time() - seconds_ago)


def inquiry_data(**overrides):
    deadline = timezone.localtime() + timedelta(days=1)
    data = {
        "name": "Jane Reporter",
        "email": "jane@example.com",
        "outlet": "The Daily Example",
        "phone": "+1 212 555 0100",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "subject": "Comment on the detentions",
        "message": "Could a spokesperson comment on the detentions today?",
        "region": "mx",
        "topic": "Detention",
        "consent": "on",
        "fax": "",
        "started": started_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def mail_in_state(inquiry, state, **fields):
    """Queue an inquiry's notification and acknowledgement in the outbox (the task's
    way), then put those rows in ``state`` as if the outbox had tried them."""
    from django.utils import timezone

    from outbox.models import Message
    from press import tasks

    tasks.send_inquiry_emails.call(inquiry.pk)
    if state == Message.State.SENT:
        fields.setdefault("sent_at", timezone.now())
    Message.objects.about(inquiry).update(state=state, **fields)
    return inquiry
