from django import template
from django.utils.translation import gettext as _

from unionportal.core.display import format_figure, format_yuan, mask_identifier

register = template.Library()


@register.filter
def masked(value):
    """``{{ member.id_number|masked }}`` → ``6110**********1234``."""
    return mask_identifier(value)


@register.filter
def figure(value):
    """``{{ row.value|figure }}`` → ``791,220.00``: a figure grouped in thousands, its decimals kept."""
    return format_figure(value)


@register.filter
def yuan(amount):
    """``{{ claim.amount|yuan }}`` → ``1,234.50 元``."""
    text = format_yuan(amount)
    return _("%(amount)s yuan") % {"amount": text} if text else ""


@register.filter
def minutes(duration):
    """A ``timedelta`` as whole minutes, for sentences like "try again in 30 minutes"."""
    try:
        return int(duration.total_seconds() // 60)
    except AttributeError:
        return duration


@register.filter
def percent(rate):
    """A rate as people say it: ``Decimal("0.60")`` → ``60%``."""
    try:
        value = (rate * 100).normalize()
    except (TypeError, AttributeError):
        return ""
    return f"{value:f}%"
