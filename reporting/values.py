"""Reading and checking one figure: the same rules for the web form, the xlsx upload and the API.

Every message names the indicator in Chinese, so a county clerk knows which line to fix. Values are stored
as ``Decimal`` with two places; a whole number is shown without them.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import CheckRule, Indicator

Kind = Indicator.ValueKind
PLACES = {Kind.WHOLE: Decimal(1), Kind.MONEY: Decimal("0.01"), Kind.DECIMAL: Decimal("0.1")}
MAX_FIGURE = Decimal("99999999999999")  # what the column holds (16 digits, 2 decimals)


class FigureError(ValueError):
    """A figure that cannot be accepted; ``str()`` is the Chinese message naming the indicator."""


def month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def parse_figure(raw, *, name: str, value_kind: str, unit: str, non_negative: bool = True) -> Decimal | None:
    """``raw`` (text from a form or a cell, a number from JSON or openpyxl) → a Decimal, or None when empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise FigureError(_("%(indicator)s: enter a number.") % {"indicator": name})
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FigureError(
            _("%(indicator)s: %(value)s is not a number.") % {"indicator": name, "value": str(raw)[:30]}
        ) from None
    if not value.is_finite():
        raise FigureError(_("%(indicator)s: enter a number.") % {"indicator": name})
    if non_negative and value < 0:
        raise FigureError(_("%(indicator)s cannot be negative.") % {"indicator": name})
    if abs(value) > MAX_FIGURE:
        raise FigureError(_("%(indicator)s is too large.") % {"indicator": name})
    step = PLACES[value_kind]
    if value != value.quantize(step, rounding=ROUND_HALF_UP):
        if value_kind == Kind.WHOLE:
            raise FigureError(_("%(indicator)s must be a whole number.") % {"indicator": name})
        if value_kind == Kind.MONEY:
            raise FigureError(_("%(indicator)s is an amount in yuan with at most two decimals.") % {"indicator": name})
        raise FigureError(_("%(indicator)s has at most one decimal.") % {"indicator": name})
    if unit == Indicator.Unit.PERCENT and value > 100:
        raise FigureError(_("%(indicator)s is a percentage and cannot exceed 100.") % {"indicator": name})
    return value.quantize(Decimal("0.01"))


def display(value, value_kind: str) -> str:
    """How a stored figure is written back into a form, a cell or JSON text: no trailing zeros for counts."""
    if value is None:
        return ""
    return str(value.quantize(PLACES[value_kind]))


def native(value, value_kind: str):
    """A stored figure as selectors hand it on: ``int`` for whole numbers, ``Decimal`` otherwise."""
    if value is None:
        return None
    if value_kind == Kind.WHOLE:
        return int(value)
    return value.quantize(PLACES[value_kind])


_COMPARE = {
    CheckRule.Operator.LE: lambda a, b: a <= b,
    CheckRule.Operator.LT: lambda a, b: a < b,
    CheckRule.Operator.GE: lambda a, b: a >= b,
    CheckRule.Operator.GT: lambda a, b: a > b,
    CheckRule.Operator.EQ: lambda a, b: a == b,
}


def _rule_text(operator: str) -> str:
    return {
        CheckRule.Operator.LE: _("%(left)s (%(left_value)s) cannot be more than %(right)s (%(right_value)s)."),
        CheckRule.Operator.LT: _("%(left)s (%(left_value)s) must be less than %(right)s (%(right_value)s)."),
        CheckRule.Operator.GE: _("%(left)s (%(left_value)s) cannot be less than %(right)s (%(right_value)s)."),
        CheckRule.Operator.GT: _("%(left)s (%(left_value)s) must be more than %(right)s (%(right_value)s)."),
        CheckRule.Operator.EQ: _("%(left)s (%(left_value)s) must equal %(right)s (%(right_value)s)."),
    }[operator]


def cross_check(values: dict[str, Decimal | None], names: dict[str, str], kinds: dict[str, str], rules):
    """``(errors, warnings)``: the messages of the rules broken by ``values`` (rules over missing codes or
    empty values are skipped)."""
    errors, warnings = [], []
    for rule in rules:
        left, right = rule.left.code, rule.right.code
        a, b = values.get(left), values.get(right)
        if a is None or b is None or _COMPARE[rule.operator](a, b):
            continue
        message = _rule_text(rule.operator) % {
            "left": names[left], "left_value": display(a, kinds[left]),
            "right": names[right], "right_value": display(b, kinds[right]),
        }  # fmt: skip
        (errors if rule.blocking else warnings).append(message)
    return errors, warnings
