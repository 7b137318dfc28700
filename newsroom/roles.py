"""Staff roles as groups, kept in code so every installation has the same ones.

``sync_roles`` is run by a data migration (and by ``manage.py setup_roles``): it creates
each group and gives it exactly the permissions listed here. Permissions of models that
do not exist yet are skipped, so later migrations simply run it again.
"""

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
        "media_library.add_document",
        "media_library.change_document",
        "media_library.view_document",
        "press.view_spokesperson",
        "taggit.add_tag",
        "taggit.view_tag",
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
        "articles.change_newsroomsettings",
        "articles.view_newsroomsettings",
        "media_library.add_photo",
        "media_library.change_photo",
        "media_library.delete_photo",
        "media_library.view_photo",
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
    ],
    # The press office answers journalists; inquiries hold personal data, so only they
    # (and superusers) see them.
    PRESS_OFFICE: [
        "articles.view_article",
        "articles.view_region",
        "articles.change_newsroomsettings",
        "articles.view_newsroomsettings",
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
    ],
}


def sync_roles(apps=None):
    """Create the role groups and set their permissions; safe to run again."""
    from django.apps import apps as global_apps  # noqa: PLC0415
    from django.contrib.auth.management import create_permissions  # noqa: PLC0415

    apps = apps or global_apps
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        # Historical app configs in a migration have no models module, and
        # create_permissions skips those; flag them for the duration of the call.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
