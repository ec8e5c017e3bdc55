"""Special inspections reached through the services (R35): a photo that sniffs as PNG, an inspection in any state."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xiji_afterschool.bureau.models import CheckItem, Inspection, InspectionCheck
from xiji_afterschool.bureau.services import inspections as services


def png(name: str = "evidence.png", colour=(200, 40, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def all_checks_passed(inspection) -> dict:
    return {item: (InspectionCheck.Result.PASS, "") for item in CheckItem.values}


def scheduled(world, *, kind=Inspection.Kind.UNANNOUNCED, school=None, day=None) -> Inspection:
    return services.inspection_schedule(
        actor=world.inspector,
        school=school or world.school_a,
        school_year=world.school_year,
        kind=kind,
        planned_date=day or timezone.localdate(),
        inspectors=[world.inspector],
        focus="课后服务专项督导",
    )


def with_finding(world, *, deadline=None, **kwargs) -> Inspection:
    """In progress, every check recorded (the fee item failed) and one finding with a photo."""
    inspection = scheduled(world, **kwargs)
    services.inspection_start(actor=world.inspector, inspection=inspection)
    services.inspection_record_checks(actor=world.inspector, inspection=inspection, results=all_checks_passed(world))
    check = inspection.checks.get(item=CheckItem.NO_FEES)
    services.finding_add(
        actor=world.inspector,
        inspection=inspection,
        check=check,
        description="向家长收取课后服务资料费",
        severity="serious",
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=14),
        photos=[png()],
    )
    inspection.refresh_from_db()
    return inspection


def issued(world, **kwargs) -> Inspection:
    inspection = with_finding(world, **kwargs)
    services.inspection_issue(actor=world.inspector, inspection=inspection)
    inspection.refresh_from_db()
    return inspection


def responded(world, **kwargs) -> Inspection:
    inspection = issued(world, **kwargs)
    rectification = inspection.findings.get().rectification
    admin = world.school_admin if inspection.school_id == world.school_a.pk else world.other_school_admin
    services.rectification_respond(
        actor=admin, rectification=rectification, response="已全额退还家长资料费", photo=png("done.png")
    )
    inspection.refresh_from_db()
    return inspection
