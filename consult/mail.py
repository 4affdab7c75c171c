"""Outgoing email. With no SMTP server configured, messages go to the log so a demo works offline."""

import logging

from flask import current_app
from flask_mail import Message

from consult.extensions import mail

log = logging.getLogger("consult.mail")


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message now (SMTP), or write it to the log when MAIL_SERVER is unset."""
    if not current_app.config.get("MAIL_SERVER"):
        log.warning("MAIL_SERVER is not set; this email was not sent:\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    mail.send(Message(subject=subject, recipients=[to], body=body))
