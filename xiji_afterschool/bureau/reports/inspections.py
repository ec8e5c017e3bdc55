"""The special inspection report (专项督导报告) as a county document: the context of
templates/bureau/inspections/inspection_report_pdf.html. Photos go in as small JPEG thumbnails in data: URLs (the
PDF renderer fetches nothing else)."""

import base64
import io

from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from ..models import Inspection

# The county's own names, printed as they are in every language (like the plan filing record's authority).
AUTHORITY = "西吉县教育体育局"
TITLE = "西吉县课后服务专项督导报告"
THUMBNAIL = (360, 270)


def thumbnail_data_url(file) -> str:
    """A stored photo as a small JPEG data: URL; "" when the file is missing or not an image."""
    try:
        with file.open("rb") as handle, Image.open(handle) as image:
            image = image.convert("RGB")
            image.thumbnail(THUMBNAIL)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=75)
    except (OSError, UnidentifiedImageError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def inspection_report_context(inspection: Inspection, findings) -> dict:
    """Everything the report shows: the school, the day, the inspectors, the checklist, the findings (with their
    photos and rectification deadlines) and the history of the inspection. `findings`: the viewer's scoped
    findings of this inspection (selectors.findings_of)."""
    rows = []
    for number, finding in enumerate(findings, start=1):
        rectification = getattr(finding, "rectification", None)
        rows.append(
            {
                "number": number,
                "finding": finding,
                "rectification": rectification,
                "photos": [url for photo in finding.photos.all() if (url := thumbnail_data_url(photo.file))],
                "response_photo": thumbnail_data_url(rectification.response_photo)
                if rectification is not None and rectification.response_photo
                else "",
            }
        )
    return {
        "authority": AUTHORITY,
        "title": TITLE,
        "inspection": inspection,
        "inspectors": [person.full_name or person.username for person in inspection.inspectors.all()],
        "checks": list(inspection.checks.all()),
        "findings": rows,
        "events": inspection.events.select_related("actor").order_by("created_at", "pk"),
        "printed_at": timezone.localtime(),
    }
