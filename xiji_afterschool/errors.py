"""Domain errors: expected refusals with a translated message safe to show the user."""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def form_errors(form) -> str:
    """A refused form's errors as one message line, each after its field's label ("Amount: Enter a number.")."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts += [f"{label}: {error}" if label else str(error) for error in errors]
    return " ".join(parts)
