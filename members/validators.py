"""Identifiers of DOMAIN.md §8, checked the way a counter clerk needs: which field, and why, in Chinese."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from unionportal.org.validators import validate_union_uscc, validate_uscc  # noqa: F401  (the tree's, used here too)

# First two digits of a resident ID: the province-level divisions of GB/T 2260 (83: residence permits
# of Taiwan residents). Finer region codes are not checked: IDs keep the county code of the year they
# were issued, and many of those codes have since been retired (Shangluo's 6125xx became 6110xx in 2002).
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
}  # fmt: skip
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_id_number(value: str) -> str:
    """Strip spaces, upper-case a final x; what is stored and compared."""
    return re.sub(r"\s+", "", value or "").upper()


def same_name(typed: str, recorded: str) -> bool:
    """Whether a name typed at a counter (or in a roster) is the name on record: spaces aside, exactly."""
    return bool(typed) and "".join((typed or "").split()) == "".join((recorded or "").split())


def validate_id_number(value: str) -> str:
    """Check a resident ID number (GB 11643-1999); return it normalised. Raises a ValidationError in Chinese."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d."), code="id_length", params={"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="id_format")
    if number[:2] not in PROVINCES:
        raise ValidationError(_("The ID number does not start with a valid province code."), code="id_region")
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(_("The birth date inside the ID number is not a real date."), code="id_birth") from None
    if born > timezone.localdate() or born < date(1900, 1, 1):
        raise ValidationError(_("The birth date inside the ID number is impossible."), code="id_birth")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            _("The last character (check digit) of the ID number is wrong: please check every digit."),
            code="id_checksum",
        )
    return number


def birth_date_from_id(number: str) -> date:
    return ric.get_birth_date(number)


def sex_from_id(number: str) -> str:
    """'M' or 'F': the 17th digit is odd for men."""
    return "M" if int(number[16]) % 2 else "F"


def validate_not_in_future(value: date) -> date:
    """A date that has happened (founded, joined, issued, changed): never after today."""
    if value and value > timezone.localdate():
        raise ValidationError(_("This date cannot be in the future."), code="future_date")
    return value


def validate_mobile(value: str) -> str:
    phone = re.sub(r"[\s-]+", "", value or "")
    if not MOBILE.match(phone):
        raise ValidationError(_("A mobile number is 11 digits starting with 13 to 19."), code="mobile")
    return phone
