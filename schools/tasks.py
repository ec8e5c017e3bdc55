from celery import shared_task

from .services import roster as roster_services


@shared_task(name="schools.roster_export_task")
def roster_export_task(export_id: int) -> str:
    return roster_services.roster_export_run(export_id=export_id).status
