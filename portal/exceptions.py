"""Errors a service raises; pages and the API turn them into a message and an HTTP status.

Every app's services raise these, so the API's exception handler and the forms (both in the
base layer or above it) understand every refusal the same way. A refusal of bad input may name
several fields at once (`errors`), so that a form shows every problem together and the user
corrects them in one go; `message` and `field` are then the first of them.
"""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str = "", *, field: str | None = None, errors: dict | None = None):
        errors = {k: list(v) for k, v in (errors or {}).items() if v}
        if not errors:
            errors = {field: [message]}
        field, messages = next(iter(errors.items()))
        super().__init__(messages[0])
        self.message = messages[0]
        self.field = field
        self.errors = errors  # field (None: the whole request) -> its messages, in the order found

    def renamed(self, names: dict) -> "ServiceError":
        """The same error with its fields renamed (the service's name -> the caller's); a name
        also renames the fields under it ("files" renames "files.12")."""
        errors = {}
        for field, messages in self.errors.items():
            errors.setdefault(_rename(field, names), []).extend(messages)
        return type(self)(errors=errors)


def _rename(field, names: dict):
    if field in names:
        return names[field]
    head, dot, tail = (field or "").partition(".")
    return f"{names[head]}.{tail}" if dot and head in names else field


class InvalidInput(ServiceError):
    status = 400


class NotAllowed(ServiceError):
    status = 403


class Conflict(ServiceError):
    """The object is not in a state that allows this step (or someone else just moved it)."""

    status = 409


class Problems:
    """Collects every field error of one request, then raises them together.

        problems = Problems()
        if not name: problems.add("name", "请填写名称。")
        problems.raise_if_any()
    """

    def __init__(self):
        self.errors: dict = {}

    def add(self, field: str | None, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self, field: str | None, call) -> None:
        """Run `call`; an InvalidInput it raises is kept (under `field` when it names none)."""
        try:
            call()
        except InvalidInput as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add(name if name is not None else field, message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, error_class=InvalidInput) -> None:
        if self.errors:
            raise error_class(errors=self.errors)
