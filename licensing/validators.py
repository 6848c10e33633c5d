"""Identifiers of applicants, checked by their structure and their check characters.

- 统一社会信用代码, GB 32100-2015: 18 characters from an alphabet without I, O, S, V, Z: the
  登记管理部门代码 (1st), a 机构类别代码 of that department (2nd), the registering authority's
  行政区划码 (3rd-8th, digits), the 主体标识码 (9th-17th) and a check character, weighted sum
  of the first 17 modulo 31. Not all zeros.
- 居民身份证号码, GB 11643-1999: a 行政区划 address code whose first two digits name a province
  of GB/T 2260, the birth date (a real day, not after today), a sequence number and a check
  character (0-9 or X), ISO 7064 MOD 11-2.
"""
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

# GB 32100-2015 附录A, as amended (A and N added): 登记管理部门代码 → its name and the 机构类别
# 代码 it gives. Y (其他) does not divide its organisations and always uses 1. 民政's 4 and 5 are
# not in that table but are in use for 基层群众性自治组织 (村民委员会 54…, 居民委员会 55…):
# refusing a real code turns a real applicant away, so they are accepted.
USCC_DEPARTMENTS = {
    "1": (_("机构编制"), "1239"),
    "2": (_("外交"), "19"),
    "3": (_("司法行政"), "123459"),
    "4": (_("文化"), "19"),
    "5": (_("民政"), "123459"),
    "6": (_("旅游"), "129"),
    "7": (_("宗教"), "129"),
    "8": (_("工会"), "19"),
    "9": (_("工商"), "123"),
    "A": (_("中央军委改革和编制办公室"), "19"),
    "N": (_("农业"), "1239"),
    "Y": (_("其他"), "1"),
}
# GB/T 2260 provinces (省级行政区划代码), the first two digits of an ID number's address code.
# 83: the 公民身份号码 on a 台湾居民居住证 (国办发〔2018〕81号; Hong Kong and Macao use 81 and 82).
ID_PROVINCES = frozenset(
    [str(n) for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
                      *range(61, 66), 71, 81, 82, 83)])
# Nobody born before 1860 was alive when the first 居民身份证 were issued in 1984 (the
# standard's own example was born in 1880).
ID_EARLIEST_BIRTH = datetime.date(1860, 1, 1)


def normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError(gettext("统一社会信用代码应为18位，当前为%(n)s位。"), params={"n": len(code)}, code="length")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError(gettext("统一社会信用代码含有不允许的字符：%(c)s（不使用I、O、S、V、Z）。"),
                              params={"c": gettext("、").join(bad)}, code="alphabet")
    _check_uscc_parts(code)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(gettext("统一社会信用代码校验位错误：第18位应为 %(e)s，请核对后重新输入。"),
                              params={"e": expected}, code="check")


def _check_uscc_parts(code: str) -> None:
    if code == "0" * 18:
        raise ValidationError(gettext("统一社会信用代码不能全为0，请核对后重新输入。"), code="zeros")
    if code[0] not in USCC_DEPARTMENTS:
        raise ValidationError(gettext("统一社会信用代码第1位（登记管理部门代码）%(c)s 不存在，请核对后重新输入。"),
                              params={"c": code[0]}, code="department")
    department, categories = USCC_DEPARTMENTS[code[0]]
    if code[1] not in categories:
        raise ValidationError(gettext("统一社会信用代码第2位（机构类别代码）%(c)s 不是“%(d)s”登记管理部门使用的机构类别，"
                                      "请核对后重新输入。"), params={"c": code[1], "d": department}, code="category")
    if not code[2:8].isdigit():
        raise ValidationError(gettext("统一社会信用代码第3至8位（登记管理机关行政区划码）应为数字。"), code="region")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError(gettext("居民身份证号码应为18位，当前为%(n)s位。"), params={"n": len(code)}, code="length")
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise ValidationError(gettext("居民身份证号码前17位应为数字，最后一位为数字或X。"), code="alphabet")
    if code[:2] not in ID_PROVINCES:
        raise ValidationError(gettext("居民身份证号码前两位（省级行政区划代码）%(p)s 不存在，请核对后重新输入。"),
                              params={"p": code[:2]}, code="province")
    try:
        born = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        born = None
    if born is None or born < ID_EARLIEST_BIRTH:
        raise ValidationError(gettext("居民身份证号码中的出生日期无效。"), code="birth_date")
    if born > timezone.localdate():
        raise ValidationError(gettext("居民身份证号码中的出生日期 %(d)s 晚于今天，请核对后重新输入。"),
                              params={"d": born.isoformat()}, code="birth_date")
    expected = id_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(gettext("居民身份证号码校验位错误：第18位应为 %(e)s，请核对后重新输入。"),
                              params={"e": expected}, code="check")


def _passes(validate, code: str) -> bool:
    try:
        validate(code)
    except ValidationError:
        return False
    return True


def looks_like_id_number(code: str) -> bool:
    """18 characters, the first 17 digits: a 居民身份证号码 rather than a 统一社会信用代码, unless
    it is not a valid ID number but a valid credit code (911101066976941872 is one: digits only)."""
    if not (len(code) == 18 and code[:17].isdigit()):
        return False
    return _passes(validate_id_number, code) or not _passes(validate_uscc, code)


def identifier_problem(value: str) -> str:
    """What is wrong with an identifier typed without saying its kind ('' when nothing is)."""
    code = normalise(value)
    validate = validate_id_number if looks_like_id_number(code) else validate_uscc
    try:
        validate(code)
    except ValidationError as exc:
        return exc.messages[0]
    return ""

