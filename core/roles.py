"""Staff roles as groups, kept in code so every installation has the same ones.

``sync_roles`` runs after every ``migrate`` (a ``post_migrate`` handler connected in
``CoreConfig.ready()``, the way ``django.contrib.auth`` creates permissions) and from
``manage.py setup_roles``: it creates each group and gives it exactly the permissions
listed here. A permission whose model does not exist is skipped.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, router

WRITERS = "Writers"
EDITORS = "Editors"
PRESS_OFFICE = "Press office"

ROLES = {
    # Writers draft and correct; they cannot publish, unpublish or delete.
    WRITERS: [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_region",
        "media_library.add_photo",
        "media_library.change_photo",
        "media_library.view_photo",
        # A photo's alt text and caption in the other languages, edited on the photo.
        "media_library.add_phototext",
        "media_library.change_phototext",
        "media_library.delete_phototext",
        "media_library.view_phototext",
        "media_library.add_document",
        "media_library.change_document",
        "media_library.view_document",
        "press.view_spokesperson",
        # Writers pick existing topics; creating a public topic is an editor's act.
        "taggit.view_tag",
        "articles.view_articlenote",
    ],
    # Editors own what is public.
    EDITORS: [
        "articles.add_article",
        "articles.change_article",
        "articles.delete_article",
        "articles.view_article",
        "articles.publish_article",
        "articles.add_region",
        "articles.change_region",
        "articles.view_region",
        "articles.view_slugredirect",
        "articles.delete_slugredirect",
        "articles.change_articlenote",
        "articles.delete_articlenote",
        "articles.view_articlenote",
        "core.change_sitesettings",
        "core.view_sitesettings",
        # Embargoes: share scheduled articles with journalists, revoke links.
        "embargo.add_embargolink",
        "embargo.change_embargolink",
        "embargo.view_embargolink",
        "embargo.add_journalistcontact",
        "embargo.change_journalistcontact",
        "embargo.delete_journalistcontact",
        "embargo.view_journalistcontact",
        "media_library.add_photo",
        "media_library.change_photo",
        "media_library.delete_photo",
        "media_library.view_photo",
        "media_library.add_phototext",
        "media_library.change_phototext",
        "media_library.delete_phototext",
        "media_library.view_phototext",
        "media_library.add_document",
        "media_library.change_document",
        "media_library.delete_document",
        "media_library.view_document",
        "press.add_spokesperson",
        "press.change_spokesperson",
        "press.view_spokesperson",
        "taggit.add_tag",
        "taggit.change_tag",
        "taggit.delete_tag",
        "taggit.view_tag",
        # A topic's name in the other languages, edited on the topic.
        "articles.add_topicname",
        "articles.change_topicname",
        "articles.delete_topicname",
        "articles.view_topicname",
    ],
    # The press office answers journalists; inquiries hold personal data, so only they
    # (and superusers) see them.
    PRESS_OFFICE: [
        "articles.view_article",
        "articles.view_region",
        "core.change_sitesettings",
        "core.view_sitesettings",
        # Embargoes: share scheduled articles with journalists, revoke links.
        "embargo.add_embargolink",
        "embargo.change_embargolink",
        "embargo.view_embargolink",
        "embargo.add_journalistcontact",
        "embargo.change_journalistcontact",
        "embargo.delete_journalistcontact",
        "embargo.view_journalistcontact",
        "press.add_spokesperson",
        "press.change_spokesperson",
        "press.delete_spokesperson",
        "press.view_spokesperson",
        "press.add_presscontact",
        "press.change_presscontact",
        "press.delete_presscontact",
        "press.view_presscontact",
        "press.view_mediainquiry",
        "press.change_mediainquiry",
        "press.delete_mediainquiry",
        # Alert subscribers: see and export them, stop one, erase one on request.
        "alerts.view_subscription",
        "alerts.change_subscription",
        "alerts.delete_subscription",
        # The outbox (every e-mail the site sends, with its recipients): see what is
        # queued, failing or given up; send again, give up.
        "outbox.view_message",
        "outbox.change_message",
    ],
}


def sync_roles(*, apps=global_apps, using=DEFAULT_DB_ALIAS):
    """Create the role groups and set their permissions; safe to run again."""
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:  # auth is not installed, or migrated back to zero
        return
    if not router.allow_migrate_model(using, Group):
        return
    # post_migrate reaches each app in turn and auth creates permissions app by app, so
    # the apps after this one have none yet: create them all first (idempotent).
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)

    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """The ``post_migrate`` receiver: ``migrate`` (and a test database's flush) leaves
    every role in place, on a new database and after new permissions appear."""
    sync_roles(apps=apps, using=using)
