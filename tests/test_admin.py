"""Support staff (superusers) can open every admin list and the change page of a row; nothing 500s."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_every_admin_list_opens(client, world, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        row = model._default_manager.first()
        if row is not None:
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
            assert client.get(change).status_code == 200, change
