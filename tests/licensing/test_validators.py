"""Applicants are identified by codes whose check characters the portal verifies.

统一社会信用代码: GB 32100-2015 (alphabet without I, O, S, V, Z; check character modulo 31).
居民身份证号码: GB 11643-1999 (check character ISO 7064 MOD 11-2, 0-9 or X).
"""
import pytest
from django.core.exceptions import ValidationError

from licensing.constants import ApplicantKind
from portal.exceptions import InvalidInput
from licensing.models import Applicant, ApplicantMembership
from licensing.services import applicant_register
from licensing.validators import (
    ID_PROVINCES, USCC_DEPARTMENTS, id_check_char, identifier_problem, looks_like_id_number, uscc_check_char,
    validate_id_number, validate_uscc,
)
from portal.masking import mask_identifier, mask_person_name
from tests.factories import valid_id_number, valid_uscc

# Public examples, their check characters computed by hand from the standards' weights:
# the worked example of GB 32100-2015 and GB 11643-1999's own examples.
PUBLIC_USCC = ["91350100M000100Y43", "91440300708461136T"]
PUBLIC_ID_NUMBERS = ["11010519491231002X", "440524188001010014"]


def refusal(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return exc.value.messages[0]


def with_last_char(code: str, char: str) -> str:
    return code[:17] + char


# --- 统一社会信用代码 -------------------------------------------------------------------------


@pytest.mark.parametrize("code", PUBLIC_USCC + [valid_uscc(seed) for seed in range(20)])
def test_a_valid_credit_code_is_accepted(code):
    validate_uscc(code)


def test_a_credit_code_typed_in_lower_case_with_spaces_is_accepted():
    validate_uscc(" 91350100m000100y43 ")


def test_a_wrong_check_character_is_refused_naming_the_expected_one():
    message = refusal(validate_uscc, with_last_char(PUBLIC_USCC[0], "4"))
    assert "校验位错误" in message
    assert "第18位应为 3" in message


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_the_standard_leaves_out_are_refused(letter):
    code = "9135010" + letter + "M000100Y43"
    message = refusal(validate_uscc, code)
    assert f"不允许的字符：{letter}" in message
    assert "不使用I、O、S、V、Z" in message


@pytest.mark.parametrize("code,length", [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("", 0)])
def test_a_credit_code_of_the_wrong_length_is_refused(code, length):
    assert refusal(validate_uscc, code) == f"统一社会信用代码应为18位，当前为{length}位。"


def uscc(first17: str) -> str:
    """A code with the right check character, so only its structure can be at fault."""
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize("department,category", [(d, c) for d, (_, categories) in USCC_DEPARTMENTS.items()
                                                 for c in categories])
def test_every_department_and_category_of_the_standard_is_accepted(department, category):
    validate_uscc(uscc(department + category + "450700MA5N1A2B3"))


def test_a_credit_code_of_zeros_is_refused():
    assert refusal(validate_uscc, "0" * 18) == "统一社会信用代码不能全为0，请核对后重新输入。"


@pytest.mark.parametrize("department", ["0", "B", "C", "X", "M"])
def test_an_unknown_registration_department_is_refused(department):
    message = refusal(validate_uscc, uscc(department + "1450700MA5N1A2B3"))
    assert message == f"统一社会信用代码第1位（登记管理部门代码）{department} 不存在，请核对后重新输入。"


@pytest.mark.parametrize("code,department", [("94", "工商"), ("99", "工商"), ("Y2", "其他"), ("16", "机构编制"),
                                             ("A2", "中央军委改革和编制办公室"), ("5A", "民政")])
def test_a_category_the_department_does_not_use_is_refused(code, department):
    message = refusal(validate_uscc, uscc(code + "450700MA5N1A2B3"))
    assert f"第2位（机构类别代码）{code[1]} 不是“{department}”登记管理部门使用的机构类别" in message


def test_the_registering_authoritys_area_code_is_digits():
    assert "第3至8位（登记管理机关行政区划码）应为数字" in refusal(validate_uscc, uscc("91A50700MA5N1A2B3"))


def test_a_credit_code_of_digits_only_is_taken_for_a_credit_code_not_an_id_number():
    code = "911101066976941872"  # digits only, a valid credit code, no valid ID number
    assert identifier_problem(code) == "" and not looks_like_id_number(code)
    assert looks_like_id_number(PUBLIC_ID_NUMBERS[0]) and looks_like_id_number("110105194912310021")


# --- 居民身份证号码 ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", PUBLIC_ID_NUMBERS + [valid_id_number(seed) for seed in range(20)])
def test_a_valid_id_number_is_accepted(number):
    validate_id_number(number)


def test_an_id_number_ending_in_a_lower_case_x_is_accepted():
    validate_id_number("11010519491231002x")


def test_a_wrong_id_check_digit_is_refused_naming_the_expected_one():
    message = refusal(validate_id_number, with_last_char(PUBLIC_ID_NUMBERS[1], "5"))
    assert "校验位错误" in message
    assert "第18位应为 4" in message


def test_an_x_where_a_digit_is_expected_names_the_digit():
    assert "第18位应为 4" in refusal(validate_id_number, with_last_char(PUBLIC_ID_NUMBERS[1], "X"))


@pytest.mark.parametrize("number", ["1101051949123100", "1101051949123100290"])
def test_an_id_number_of_the_wrong_length_is_refused(number):
    assert "居民身份证号码应为18位" in refusal(validate_id_number, number)


def test_letters_inside_an_id_number_are_refused():
    assert "前17位应为数字" in refusal(validate_id_number, "11010519491231A02X")


@pytest.mark.parametrize("birth", ["19490230", "19491301", "20230229"])
def test_an_impossible_birth_date_is_refused(birth):
    first17 = "110105" + birth + "002"
    assert refusal(validate_id_number, first17 + "0") == "居民身份证号码中的出生日期无效。"


def id_number(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("province", sorted(ID_PROVINCES))
def test_every_province_of_gb_t_2260_is_accepted(province):
    validate_id_number(id_number(province + "0102" + "19800101" + "123"))


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "66", "72", "80", "84",
                                      "99"])
def test_a_province_that_does_not_exist_is_refused(province):
    message = refusal(validate_id_number, id_number(province + "0102" + "19800101" + "123"))
    assert message == f"居民身份证号码前两位（省级行政区划代码）{province} 不存在，请核对后重新输入。"


@pytest.mark.parametrize("birth", ["10660101", "18591231", "00000101"])
def test_a_birth_date_before_anyone_alive_had_a_number_is_refused(birth):
    assert refusal(validate_id_number, id_number("450702" + birth + "123")) == "居民身份证号码中的出生日期无效。"


def test_a_birth_date_after_today_is_refused_and_today_is_accepted(at):
    with at(2026, 5, 1, 0, 30):  # just after midnight in Qinzhou: still 30 April in UTC
        validate_id_number(id_number("450702" + "20260501" + "123"))
        message = refusal(validate_id_number, id_number("450702" + "20260502" + "123"))
    assert message == "居民身份证号码中的出生日期 2026-05-02 晚于今天，请核对后重新输入。"


def test_lists_and_logs_see_only_the_ends_of_an_identifier():
    assert mask_identifier("11010519491231002X") == "1101**********002X"


def test_the_public_sees_a_persons_surname_only():
    assert (mask_person_name("张三丰"), mask_person_name(" 张 "), mask_person_name("")) == ("张**", "张*", "")


# --- registering an applicant ---------------------------------------------------------------

@pytest.mark.django_db
def test_registering_an_enterprise_with_a_valid_code_links_the_account(applicant_user):
    applicant = applicant_register(kind=ApplicantKind.ENTERPRISE, identifier="91350100m000100y43",
                                   name=" 钦州测试有限公司 ", actor=applicant_user, user=applicant_user)
    assert applicant.identifier == "91350100M000100Y43"
    assert applicant.name == "钦州测试有限公司"
    assert applicant.members.get() == applicant_user


@pytest.mark.django_db
def test_registering_the_same_code_twice_finds_the_same_applicant(applicant_user):
    first = applicant_register(kind=ApplicantKind.PERSON, identifier=PUBLIC_ID_NUMBERS[0], name="张三",
                               actor=applicant_user, user=applicant_user)
    again = applicant_register(kind=ApplicantKind.PERSON, identifier=PUBLIC_ID_NUMBERS[0].lower(), name="张三",
                               actor=applicant_user, user=applicant_user)
    at_the_window = applicant_register(kind=ApplicantKind.PERSON, identifier=PUBLIC_ID_NUMBERS[0], name="张三",
                                       actor=None)
    assert first == again == at_the_window
    assert Applicant.objects.count() == 1
    assert ApplicantMembership.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind,identifier,field,words", [
    (ApplicantKind.ENTERPRISE, with_last_char(PUBLIC_USCC[0], "4"), "identifier", "第18位应为 3"),
    (ApplicantKind.ENTERPRISE, "9135010OM000100Y43", "identifier", "不允许的字符：O"),
    (ApplicantKind.PERSON, with_last_char(PUBLIC_ID_NUMBERS[0], "1"), "identifier", "第18位应为 X"),
    (ApplicantKind.PERSON, PUBLIC_USCC[0], "identifier", "居民身份证号码"),
    ("company", PUBLIC_USCC[0], "kind", "申请人类型无效"),
])
def test_registering_with_a_bad_identifier_is_refused_and_creates_nothing(applicant_user, kind, identifier, field,
                                                                           words):
    with pytest.raises(InvalidInput) as exc:
        applicant_register(kind=kind, identifier=identifier, name="钦州测试有限公司", actor=applicant_user,
                           user=applicant_user)
    assert exc.value.field == field
    assert words in exc.value.message
    assert not Applicant.objects.exists()
    assert not ApplicantMembership.objects.exists()


@pytest.mark.django_db
def test_registering_without_a_name_is_refused_and_creates_nothing():
    with pytest.raises(InvalidInput) as exc:
        applicant_register(kind=ApplicantKind.ENTERPRISE, identifier=PUBLIC_USCC[0], name="  ", actor=None)
    assert exc.value.message == "请填写申请人名称或姓名。"
    assert not Applicant.objects.exists()
