"""Domain errors: expected refusals with a translated message safe to show the user."""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
