"""The funding app's actions and scopes: the subsidy rate, claims, settlement, the spending plan and ledger,
teacher pay and public disclosure (registered with the one engine, xiji_afterschool/permissions.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Role
from xiji_afterschool.permissions import (
    ALL,
    MONEY_READERS,
    MenuEntry,
    at_school,
    in_township,
    of_person,
    register,
    same_rule,
)

from .models import PayRun

SA, BU, FI, HR, AU = Role.SCHOOL_ADMIN, Role.BUREAU, Role.FINANCE, Role.HR, Role.AUDITOR
COUNTY_MONEY = MONEY_READERS - {SA}  # the county departments that read every school's money records


def own_approved_slips(m):
    """A teacher's own slips at the school, once the run is approved (a draft is still moving)."""
    return Q(person=m.user_id, run__school=m.school_id, run__status=PayRun.Status.APPROVED)


register(
    app="funding",
    actions={
        "home.finance": {FI},
        "home.hr": {HR},
        "home.auditor": {AU},
        # Funding (R23–R27); the subsidy standard's rate.* actions are the schools app's (schools/access.py).
        # Claims (R23): the school claims, the bureau first-reviews (初审), finance approves and allocates (核拨).
        "claim.view": MONEY_READERS,
        "claim.edit": {SA},  # create, change and submit the school's own claims
        "claim.first_review": {BU},  # pass or return
        "claim.approve": {FI},  # approve (or send back) and record the allocation
        # Settlement (决算): filed by the school at year end, confirmed by finance.
        "settlement.view": MONEY_READERS,
        "settlement.file": {SA},
        "settlement.confirm": {FI},
        # Spending plan (R25) and the earmarked ledger (R24): kept by the school, read by the county.
        "spending_plan.view": MONEY_READERS,
        "spending_plan.edit": {SA},
        "ledger.view": MONEY_READERS,
        "ledger.record": {SA},  # spending entries and reversals
        # Oversight of money (issue #12): the audit report of a school's year as Excel, for the county's money
        # departments (any school) and the school's own admin.
        "subsidy_report.view": {AU, BU, FI, SA},
        # Teacher pay by workload (R27): the school's scheme, reviewed by HR; pay runs by the school.
        "pay_scheme.view": {SA, HR, BU, AU},
        "pay_scheme.edit": {SA},
        "pay_scheme.review": {HR},
        "pay_run.view": {SA, HR, AU},
        "pay_run.manage": {SA},
        # A pay slip: the teacher it belongs to, the school, HR and audit (on a PayShare).
        "pay_slip.view": {Role.SERVICE_TEACHER, Role.CLASS_TEACHER, SA, HR, AU},
        # Public disclosure (R26): parents of the school and the supervising departments read it.
        "disclosure.view": {Role.PARENT, Role.TOWNSHIP_COORDINATOR, *MONEY_READERS},
        "disclosure.publish": {SA},
        # Model custody classes (R36, 示范性课后托管班): the bureau proposes and recognises (with the county trade
        # union); recognition books the grant into the school's fund. The county reads them all, a school its own.
        "model_class.view": {BU, FI, AU, Role.INSPECTOR, Role.LEADERSHIP, SA},
        "model_class.propose": {BU},
        "model_class.recognise": {BU},  # recognise or revoke
    },
    scopes={
        # Funding records: the school's own; every school for the county's money departments.
        **{
            model: {SA: at_school(), **same_rule(COUNTY_MONEY, ALL)}
            for model in ("funding.Claim", "funding.Settlement", "funding.SpendingPlan", "funding.Fund")
        },
        "funding.LedgerEntry": {SA: at_school("fund__school"), **same_rule(COUNTY_MONEY, ALL)},
        "funding.PayScheme": {SA: at_school(), **same_rule({HR, BU, AU}, ALL)},
        "funding.PayRun": {SA: at_school(), **same_rule({HR, AU}, ALL)},
        "funding.PayShare": {
            **same_rule({Role.SERVICE_TEACHER, Role.CLASS_TEACHER}, own_approved_slips),
            SA: at_school("run__school"),
            **same_rule({HR, AU}, ALL),
        },
        "funding.Disclosure": {
            Role.PARENT: of_person("school__students__guardian_links__guardian__user"),
            SA: at_school(),
            Role.TOWNSHIP_COORDINATOR: in_township("school__township"),
            **same_rule(COUNTY_MONEY, ALL),
        },
        "funding.ModelClass": {
            SA: at_school("service_class__school"),
            **same_rule({BU, FI, AU, Role.INSPECTOR, Role.LEADERSHIP}, ALL),
        },
    },
    menu=[
        MenuEntry(FI, "funding:finance-home", "home.finance", home=True),
        # Teachers reach their own slips (volunteers are not paid from the teacher pool, R27).
        *(
            MenuEntry(role, "funding:pay-slip-mine", "pay_slip.view", _("My pay slips"), 55)
            for role in (Role.SERVICE_TEACHER, Role.CLASS_TEACHER)
        ),
        MenuEntry(HR, "funding:hr-home", "home.hr", home=True),
        MenuEntry(AU, "funding:auditor-home", "home.auditor", home=True),
        MenuEntry(BU, "funding:claim-list", "claim.view", _("Subsidy claims"), 70),
        MenuEntry(BU, "funding:rate-list", "rate.view", _("Subsidy rate"), 80),
        *(
            MenuEntry(role, "funding:disclosure-county", "disclosure.view", _("Disclosures"), 90)
            for role in (BU, Role.INSPECTOR, FI, AU)
        ),
        MenuEntry(FI, "funding:claim-list", "claim.view", _("Subsidy claims"), 10),
        MenuEntry(FI, "funding:settlement-list", "settlement.view", _("Settlements"), 20),
        MenuEntry(FI, "funding:ledger-list", "ledger.view", _("Ledgers"), 30),
        MenuEntry(HR, "funding:pay-scheme-list", "pay_scheme.view", _("Pay schemes"), 10),
        MenuEntry(AU, "funding:claim-list", "claim.view", _("Subsidy claims"), 10),
        MenuEntry(AU, "funding:ledger-list", "ledger.view", _("Ledgers"), 20),
        MenuEntry(AU, "funding:settlement-list", "settlement.view", _("Settlements"), 30),
        *(
            MenuEntry(role, "funding:model-class-list", "model_class.view", _("Model classes"), 95)
            for role in (BU, Role.INSPECTOR, FI, AU, Role.LEADERSHIP)
        ),
    ],
)
