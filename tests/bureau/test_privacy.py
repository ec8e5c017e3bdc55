"""The register of personal information on the bureau's page (issue #14 item 3): every registered field with its
purpose, basis, audience from the access engine and the county's current retention periods; readable on a phone."""

import pytest
from django.urls import reverse

from schools.models import Role
from schools.services import retention as retention_services
from xiji_afterschool import privacy

from ..factories import SchoolFactory, user_with_role


@pytest.fixture
def people(db):
    school = SchoolFactory()
    return {
        "bureau": user_with_role(Role.BUREAU),
        "auditor": user_with_role(Role.AUDITOR),
        "school_admin": user_with_role(Role.SCHOOL_ADMIN, school=school),
    }


def test_the_person_in_charge_reads_every_entry_with_its_purpose_and_who_sees_it(
    client, people, django_assert_max_num_queries
):
    client.force_login(people["bureau"])
    with django_assert_max_num_queries(8):  # the session, the user, the memberships, the settings: no query per field
        response = client.get(reverse("bureau:privacy"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-entry=") == len(privacy.ENTRIES)
    fields = sum(len(e.fields) for e in privacy.ENTRIES)
    assert f"{fields}" in page
    id_entry = privacy.REGISTER["schools.Student", "id_number"]
    assert id_entry.purpose in page
    # The ID number is one entry with its digest and last four (#14 item 6): one purpose, one basis, one set of readers.
    card = page.split(f'data-entry="schools.Student:{",".join(id_entry.fields)}"')[1].split("</dl>")[0]
    assert "《个人信息保护法》第十三条第一款第三项" in card
    whole = card.split("data-who>")[1].split("</dd>")[0]
    assert "学校管理员" in whole.split('class="text-muted"')[0]  # whole: the school admin only
    assert "班主任" in whole.split('class="text-muted"')[1]  # masked: the class teacher
    assert privacy.gaps() == [] and "data-gaps" not in page  # every record kind has its period (#14 item 4)
    assert reverse("schools:retention") in page


def test_the_page_shows_the_countys_retention_period_not_the_default(client, people):
    retention_services.settings_defaults()
    retention_services.settings_update(actor=people["bureau"], values={"exports": 3})
    client.force_login(people["auditor"])
    page = client.get(reverse("bureau:privacy")).content.decode()
    card = page.split('data-entry="schools.RosterExport:file"')[1].split("</dl>")[0]
    kept = card.split("data-kept>")[1].split("</dd>")[0]
    assert "3" in kept and "7" not in kept


def test_the_school_cannot_open_the_register(client, people):
    client.force_login(people["school_admin"])
    assert client.get(reverse("bureau:privacy")).status_code == 403


def test_the_menu_leads_the_bureau_and_the_auditor_to_the_register(client, people):
    for who in ("bureau", "auditor"):
        client.force_login(people[who])
        home = client.get("/", follow=True).content.decode()
        assert reverse("bureau:privacy") in home, who
