"""Signals articles send for other apps to act on.

``article_corrected`` is sent once the transaction that recorded a correction,
clarification or update of a live article has committed, with ``article``, ``note`` (the
``ArticleNote``, or None for an update published without a note) and
``notify_subscribers`` (True only when the editor ticked "tell subscribers"). This app
never e-mails anyone about it: the alerts app decides what to send.

``articles_written`` is sent by the importer (``interchange``) inside its transaction once
every article is written, with ``article_ids`` (every record's article) and ``alerts``
(False for ``--no-alerts``): bulk writes send no model signals, so apps that follow
publications listen here.
"""

from django.dispatch import Signal

article_corrected = Signal()
articles_written = Signal()
