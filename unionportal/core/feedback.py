"""How a page tells the user that a service refused: one error message per reason, shown on the next page."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def report_refusal(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def attempt(request, action, *, success) -> bool:
    """Run ``action`` (a service call); a refusal becomes error messages, success a success message."""
    try:
        action()
    except ValidationError as exc:
        report_refusal(request, exc)
        return False
    messages.success(request, success)
    return True
