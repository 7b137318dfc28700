"""Mail backends that fail the way real mail servers do, for the "nothing lost" tests."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """The mail server is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class SMTPErrorBackend(BaseEmailBackend):
    """The mail server answers, then refuses the message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 Temporary local problem")
