"""What the outbox tells the apps whose mail it sends.

Apps connect receivers in their own ``AppConfig.ready()`` and look at ``message.kind``
(and ``message.content_type``/``object_id``, the object the mail is about): a reply that
went out marks its inquiry answered; an address refused for good counts as a bounce.
Receivers run in the worker, after the row is recorded; they must not send mail.
"""

from django.dispatch import Signal

# The mail server accepted the message. Arguments: message (outbox.models.Message).
message_sent = Signal()
# The server refused the message for good (a 5xx for every recipient): given up.
# Arguments: message, error (the exception).
message_refused = Signal()
