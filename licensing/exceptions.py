"""Errors a service raises; views and the API turn them into a message and an HTTP status."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ServiceError):
    status = 400


class NotAllowed(ServiceError):
    status = 403


class Conflict(ServiceError):
    """The application is not in a state that allows this step (or someone else just moved it)."""

    status = 409
