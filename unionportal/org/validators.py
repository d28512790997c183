"""Checks of a node's own particulars: unified social credit codes (GB 32100-2015)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def validate_uscc(value: str) -> str:
    """Check a unified social credit code (GB 32100-2015); return it normalised."""
    code = re.sub(r"\s+", "", value or "").upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    try:
        return uscc.validate(code)
    except StdnumError:
        raise ValidationError(
            _("The unified social credit code is not valid: check its characters and its last character."),
            code="uscc_invalid",
        ) from None


def validate_union_uscc(value: str) -> str:
    code = validate_uscc(value)
    if not code.startswith("81"):
        raise ValidationError(
            _("A grassroots union's credit code starts with 81 (trade union, grassroots)."), code="uscc_not_union"
        )
    return code
