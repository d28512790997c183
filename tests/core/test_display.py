"""Money as Chinese staff read it: grouped in thousands, two decimals, rounded half up once."""

from decimal import Decimal

import pytest
from django.utils import translation

from unionportal.core.display import format_yuan, mask_identifier


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("12345.6"), "12,345.60"),
        (Decimal("1234567.005"), "1,234,567.01"),  # half up, not to even
        (Decimal("0.125"), "0.13"),
        (Decimal("-2500"), "-2,500.00"),
        (Decimal("-0.004"), "0.00"),  # never "-0.00"
        (3, "3.00"),
        ("7.125", "7.13"),
        (None, ""),
        ("", ""),
        ("n/a", "n/a"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_grouped_with_two_decimals(amount, shown, language):
    with translation.override(language):
        assert format_yuan(amount) == shown


def test_identifiers_are_masked_keeping_what_a_clerk_recognises():
    assert mask_identifier("11010519491231002X") == "1101**********002X"
    assert mask_identifier("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("791220.00", "791,220.00"), (108220, "108,220"), ("17.8", "17.8"), ("-1234", "-1,234"), (None, ""), ("x", "x")],
)
def test_reported_figures_are_grouped_and_keep_their_decimals(value, shown):
    from unionportal.core.display import format_figure

    assert format_figure(value) == shown
