"""Subscribers' addresses normalised, one subscription per mailbox and filter.

Until now an address was stored lower-cased as typed, so ``"target"@example.net``,
``"t\\arget"@example.net`` and ``target@exämple.net`` / ``target@xn--exmple-cua.net``
were different subscribers of one mailbox. This rewrites each stored address as
``core.addresses.normalize_email`` now does (a frozen copy below: migrations do not call
live code) and merges the subscriptions that turn out to be one mailbox's one filter.
``0003_subscription_one_per_mailbox`` then adds the constraint (after this commits: on
PostgreSQL a table cannot be altered in the transaction that deleted rows it references).

Merging keeps, for each mailbox and filter, the subscription whose state its owner set
last: a confirmed, unsubscribed or suspended one over a pending one (anyone can cause a
pending one by typing the address), and among those the latest confirmation or
unsubscription; among pending ones only, the oldest. The others' delivery records move
to it where it has none for the same article, and the others are deleted. Addresses that
cannot be normalised safely (a quoted local part that needs its quotes, an IP-literal
domain) are kept as they are: they were accepted then and still deliver.
"""

import string
import unicodedata
from collections import defaultdict

import idna
from django.db import migrations, models

ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~")
DECIDED = ("confirmed", "unsubscribed", "suspended")


def _dot_atom(text):
    return bool(text) and all(atom and set(atom) <= ATEXT for atom in text.split("."))


def _normalised(address):
    """The address as core.addresses normalises it, or None where it cannot."""
    value = unicodedata.normalize("NFC", address.strip())
    if any(unicodedata.category(char)[0] == "C" for char in value):
        return None
    local, _, domain = value.rpartition("@")
    if len(local) >= 2 and local[0] == local[-1] == '"':
        chars, out = iter(local[1:-1]), []
        for char in chars:
            if char == "\\":
                char = next(chars, "")
            elif char == '"':
                return None
            out.append(char)
        local = "".join(out)
    if not _dot_atom(local) or len(local) > 64 or domain.startswith("["):
        return None
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        return None
    address = f"{local}@{domain}"
    return address if len(address) <= 254 else None


def _rank(subscription):
    if subscription.status in DECIDED:
        decided_at = max(
            moment
            for moment in (
                subscription.confirmed_at,
                subscription.unsubscribed_at,
                subscription.created_at,
            )
            if moment is not None
        )
        return (1, decided_at.timestamp(), -subscription.pk)
    return (0, -subscription.created_at.timestamp(), -subscription.pk)


def normalise_and_merge(apps, schema_editor):
    Subscription = apps.get_model("alerts", "Subscription")
    Delivery = apps.get_model("alerts", "Delivery")
    groups = defaultdict(list)
    for subscription in Subscription.objects.order_by("pk").iterator():
        address = _normalised(subscription.email) or subscription.email
        subscription.new_email = address
        groups[(address.lower(), subscription.query)].append(subscription)
    for members in groups.values():
        keep = max(members, key=_rank)
        for other in members:
            if other is keep:
                continue
            held = set(
                Delivery.objects.filter(subscription=keep).values_list(
                    "article_id", "announcement_id"
                )
            )
            for delivery in Delivery.objects.filter(subscription=other):
                if (delivery.article_id, delivery.announcement_id) not in held:
                    delivery.subscription = keep
                    delivery.save(update_fields=["subscription"])
                    held.add((delivery.article_id, delivery.announcement_id))
            other.delete()
        if keep.email != keep.new_email:
            Subscription.objects.filter(pk=keep.pk).update(email=keep.new_email)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="subscription",
            name="alert_one_per_filter",
        ),
        migrations.AlterField(
            model_name="subscription",
            name="email",
            field=models.EmailField(
                help_text="Normalised (core.addresses): unquoted, the domain in lower case "
                "and punycode; compared case-insensitively.",
                max_length=254,
                verbose_name="e-mail",
            ),
        ),
        # Not reversed: the old spellings are gone, and the old constraint holds without them.
        migrations.RunPython(normalise_and_merge, migrations.RunPython.noop),
    ]
