"""ID numbers and credit codes from an independent list: valid ones published as samples, invalid ones
made by changing one thing at a time."""

import pytest
from django.core.exceptions import ValidationError

from members.models import Enterprise
from members.validators import (
    birth_date_from_id,
    sex_from_id,
    validate_id_number,
    validate_mobile,
    validate_union_uscc,
    validate_uscc,
)
from tests.factories import make_member


def with_check_character(first17: str) -> str:
    """GB 11643 written out independently of the code under test: weights, sum mod 11, '10X98765432'."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


VALID_IDS = [
    "11010519491231002X",  # GB 11643 sample (DOMAIN.md §8)
    "11010519491231002x",  # a lower-case x is accepted
    with_check_character("61250119850612003"),  # Shangzhou under its pre-2002 code
    with_check_character("61100220030228004"),  # Shangzhou under today's code
    with_check_character("81000019900101001"),  # Hong Kong resident's residence permit (prefix 81)
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_pass_and_are_stored_upper_case(number):
    assert validate_id_number(number) == number.upper()


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("11010519491231002", "id_length"),  # 17 characters
        ("1101051949123100200", "id_length"),
        ("11010519491231002Y", "id_format"),
        ("A1010519491231002X", "id_format"),
        ("11010519491231003X", "id_checksum"),  # one digit changed
        ("110105194912310021", "id_checksum"),  # wrong check character
        ("110105194902300020", "id_birth"),  # 30 February
        ("110105299901010028", "id_birth"),  # born in 2999
        ("990105194912310020", "id_region"),  # no province 99
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(number, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == code


def test_sex_and_birth_date_come_from_the_number():
    assert sex_from_id("11010519491231002X") == "F"  # 17th digit 2: even
    assert sex_from_id(with_check_character("61100220030228003")) == "M"
    assert str(birth_date_from_id("11010519491231002X")) == "1949-12-31"


def test_union_credit_codes_start_with_81():
    from stdnum.cn import uscc

    union = "81610000MC" + "0000012"
    union += uscc.calc_check_digit(union)
    assert validate_union_uscc(union) == union
    company = "91110000600037341L"
    assert validate_uscc(company) == company
    with pytest.raises(ValidationError):
        validate_union_uscc(company)
    with pytest.raises(ValidationError):
        validate_uscc("91110000600037341A")


@pytest.mark.parametrize("phone", ["13812345678", "199 1234 5678"])
def test_mobile_numbers(phone):
    assert validate_mobile(phone) == phone.replace(" ", "")


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "02988888888"])
def test_bad_mobile_numbers(phone):
    with pytest.raises(ValidationError):
        validate_mobile(phone)


# --- The models check the numbers too, whoever saves them -------------------------------------------


@pytest.mark.django_db
def test_member_full_clean_refuses_an_id_number_with_a_wrong_check_character(tree):
    member = make_member(union=tree["union_sz"])
    good = member.id_number
    member.id_number = good[:17] + ("0" if good[17] != "0" else "1")

    with pytest.raises(ValidationError) as error:
        member.full_clean()

    assert "id_number" in error.value.message_dict
    member.id_number = good
    member.full_clean()  # the member as registered passes


@pytest.mark.django_db
def test_enterprise_full_clean_refuses_an_invalid_credit_code(tree):
    enterprise = Enterprise(
        name="某公司", credit_code="91610000MA6TG1234X", county=tree["shangzhou"], employee_count=30
    )

    with pytest.raises(ValidationError) as error:
        enterprise.full_clean()

    assert "credit_code" in error.value.message_dict


@pytest.mark.django_db
def test_organisation_full_clean_refuses_invalid_credit_codes(tree):
    union = tree["union_sz"]
    union.credit_code = "91610000MA6TG1234X"  # a company's code, and a wrong check character
    union.employer_credit_code = "91610000MA6TG1234Y"

    with pytest.raises(ValidationError) as error:
        union.full_clean()

    assert {"credit_code", "employer_credit_code"} <= set(error.value.message_dict)
