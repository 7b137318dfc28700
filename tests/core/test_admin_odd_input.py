"""Every model admin, ours and those of Django and other packages: an action on a
selection that is no key, or a date drill-down that is no date, is a message, not a 500
(``core.admin_input.OddInputAdminMixin``, put on each by ``core.admin_site``)."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from core.admin_input import UNREADABLE_SELECTION, OddInputAdminMixin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ODD_KEYS = ["", "²", "9" * 5000, "9" * 25]


def changelists():
    return [
        pytest.param(
            model_admin,
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
            id=model._meta.label,
        )
        for model, model_admin in admin.site._registry.items()
    ]


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def test_every_registered_admin_has_the_checks():
    assert admin.site._registry
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, OddInputAdminMixin), model_admin


@pytest.mark.parametrize(("model_admin", "url"), changelists())
def test_an_action_on_an_unreadable_selection_is_a_message(
    superuser_client, superuser, rf, model_admin, url
):
    request = rf.get(url)
    request.user = superuser
    for action in model_admin.get_actions(request):
        for key in ODD_KEYS:
            response = superuser_client.post(
                url, {"action": action, "index": "0", "_selected_action": key}
            )
            assert response.status_code == 302, (action, key[:10])
            texts = [str(m) for m in get_messages(response.wsgi_request)]
            assert UNREADABLE_SELECTION in texts, (action, key[:10], texts)
    # The delete confirmation's second step posts the selection without "index".
    response = superuser_client.post(
        url, {"action": "delete_selected", "post": "yes", "_selected_action": "²"}
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("model_admin", "url"), changelists())
def test_a_date_drill_down_that_is_no_date_is_a_bad_filter(superuser_client, model_admin, url):
    field = model_admin.date_hierarchy or "created_at"
    for part, value in [("year", "²"), ("year", "9" * 5000), ("year", "99999"), ("month", "13")]:
        response = superuser_client.get(f"{url}?{field}__{part}={value}")
        # To the list without the filter ("?e=1"), or wherever the list leads.
        assert response.status_code == 302, (part, value[:10])
        assert f"__{part}" not in response["Location"]
