"""Identifiers of applicants, checked by their check characters.

- 统一社会信用代码, GB 32100-2015: 18 characters from an alphabet without I, O, S, V, Z;
  the last is a check character, weighted sum of the first 17 modulo 31.
- 居民身份证号码, GB 11643-1999: 17 digits and a check character (0-9 or X), ISO 7064 MOD 11-2.
"""
import datetime

from django.core.exceptions import ValidationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位，当前为%(n)s位。", params={"n": len(code)}, code="length")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError("统一社会信用代码含有不允许的字符：%(c)s（不使用I、O、S、V、Z）。",
                              params={"c": "、".join(bad)}, code="alphabet")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError("统一社会信用代码校验位错误：第18位应为 %(e)s，请核对后重新输入。",
                              params={"e": expected}, code="check")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError("居民身份证号码应为18位，当前为%(n)s位。", params={"n": len(code)}, code="length")
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise ValidationError("居民身份证号码前17位应为数字，最后一位为数字或X。", code="alphabet")
    try:
        datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise ValidationError("居民身份证号码中的出生日期无效。", code="birth_date")
    expected = id_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError("居民身份证号码校验位错误：第18位应为 %(e)s，请核对后重新输入。",
                              params={"e": expected}, code="check")


def looks_like_id_number(code: str) -> bool:
    """18 characters, the first 17 digits: a 居民身份证号码 rather than a 统一社会信用代码."""
    return len(code) == 18 and code[:17].isdigit()


def identifier_problem(value: str) -> str:
    """What is wrong with an identifier typed without saying its kind ('' when nothing is)."""
    code = normalise(value)
    validate = validate_id_number if looks_like_id_number(code) else validate_uscc
    try:
        validate(code)
    except ValidationError as exc:
        return exc.messages[0]
    return ""

