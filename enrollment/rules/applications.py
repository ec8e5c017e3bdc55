"""Pure rules of an application: who may ask for which service."""

from schools.models import Grade, Stage, Student


def evening_service_open_to(student: Student) -> bool:
    """The plan: “初中住校生和高中学生主要是在晚间课后服务” — evening service for boarders and for every
    senior-high pupil, boarder or not."""
    return student.is_boarder or Grade.stage_of(student.admin_class.grade) == Stage.SENIOR
