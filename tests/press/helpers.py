"""What a journalist types into the media inquiry form."""

import time
from datetime import timedelta

from django.core import signing
from django.utils import timezone

from press.forms import STARTED_SALT


def started_token(seconds_ago=10):
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


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
