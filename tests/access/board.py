"""Access rows of the school's safety board (issue 11 §3): school_a's people and its supervisors read it; parents,
school_b and the county's money and HR departments get 404."""

from .alerts import SCHOOL_A_PEOPLE, SUPERVISORS
from .cases import Case

EVERY_BOARD_READER = (*SCHOOL_A_PEOPLE, "other_school_admin", *SUPERVISORS)

MATRIX = {
    "safety:board-mine": Case(ok={a: 302 for a in EVERY_BOARD_READER}, default=404),
    "safety:board": Case(
        args=lambda w: [w.school_a.pk], ok={a: 200 for a in (*SCHOOL_A_PEOPLE, *SUPERVISORS)}, default=404
    ),
}
