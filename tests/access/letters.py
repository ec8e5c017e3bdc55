"""Access rows of the Letter to Parents (R15): the letter online and as a PDF, and class batches."""

from django.core.files.base import ContentFile

from enrollment.models import LetterBatch

from .cases import Case, only

# Who sees school_a and may read its letter (parents of a child there, staff, township, bureau), and who sees the
# school but has no business with the letter (403); everyone else does not see school_a (404).
LETTER_READERS = {
    "parent": 200,
    "other_parent": 200,
    "class_teacher": 200,
    "school_admin": 200,
    "township": 200,
    "bureau": 200,
    "service_teacher": 403,
    "volunteer": 403,
    "inspector": 403,
    "finance": 403,
    "hr": 403,
    "auditor": 403,
}


def _batch(w) -> LetterBatch:
    """A queued batch of class_a1, requested by its class teacher (made once per world)."""
    batch = getattr(w, "_letter_batch", None)
    if batch is None:
        batch = w._letter_batch = LetterBatch.objects.create(
            school=w.school_a, school_year=w.school_year, admin_class=w.class_a1, requested_by=w.class_teacher, total=2
        )
    return batch


def _failed_batch(w, tmp_path):
    LetterBatch.objects.filter(pk=_batch(w).pk).update(status=LetterBatch.Status.FAILED, error="queue down")


def _finished_batch(w, tmp_path):
    batch = _batch(w)
    batch.file.save("letters-test.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    batch.status, batch.done = LetterBatch.Status.DONE, batch.total
    batch.save()


MATRIX = {
    "enrollment:letter-detail": Case(args=lambda w: [w.school_a.pk], ok=LETTER_READERS, default=404),
    "enrollment:letter-pdf": Case(args=lambda w: [w.school_a.pk], ok=LETTER_READERS, default=404),
    # class_a1 is seen by its teacher, the school, the township, the bureau and the inspector; only the first two print.
    "enrollment:letter-batch-create": Case(
        method="post",
        args=lambda w: [w.class_a1.pk],
        ok={"class_teacher": 302, "school_admin": 302, "township": 403, "bureau": 403, "inspector": 403},
        default=404,
    ),
    "enrollment:letter-batch-detail": only("class_teacher", "school_admin", default=404, args=lambda w: [_batch(w).pk]),
    "enrollment:letter-batch-retry": only(
        "class_teacher",
        "school_admin",
        status=302,
        default=404,
        method="post",
        args=lambda w: [_batch(w).pk],
        setup=_failed_batch,
    ),
    "enrollment:letter-batch-download": only(
        "class_teacher", "school_admin", default=404, args=lambda w: [_batch(w).pk], setup=_finished_batch
    ),
}
