import pytest
from django.core.exceptions import ValidationError

from schools.rules.roster import (
    id_number_check_char,
    mask_id_number,
    mask_mobile,
    normalize_mobile,
    validate_id_number,
    validate_mobile,
)


def test_known_valid_id_numbers_pass():
    # The GB 11643 worked example, and one whose check character is X.
    validate_id_number("11010519491231002X")
    body = "64042220130517001"
    validate_id_number(body + id_number_check_char(body))


@pytest.mark.parametrize(
    "value, code",
    [
        ("110105194912310021", "id_check_digit"),  # last digit changed
        ("11010519491231002", "id_shape"),  # 17 characters
        ("1101051949123100XX", "id_shape"),
        ("110105194902300027", "id_birth_date"),  # 30 February
        ("", "id_shape"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


def test_lowercase_x_and_spaces_are_normalised():
    validate_id_number(" 11010519491231002x ")


def test_id_number_is_masked_keeping_region_and_last_four():
    assert mask_id_number("64042220130517001X") == "640422********001X"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    "raw", ["13912345678", "+86 139 1234 5678", "139-1234-5678", "008613912345678", "8613912345678"]
)
def test_mobile_numbers_are_normalised(raw):
    assert normalize_mobile(raw) == "13912345678"
    validate_mobile(raw)


@pytest.mark.parametrize("raw", ["12912345678", "1391234567", "139123456789", "abcdefghijk", "", "+1 139 1234 5678"])
def test_bad_mobiles_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_mobile(raw)


def test_mobile_mask():
    assert mask_mobile("13912345678") == "139****5678"
