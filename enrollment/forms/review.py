"""Input of a review decision: the shared comment form, labelled for review (the service requires a reason when
returning)."""

from django.utils.translation import gettext_lazy

from xiji_afterschool.forms import CommentForm


class ReviewForm(CommentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = gettext_lazy("Comment (a reason is required when returning)")
