"""Personal identifiers masked wherever they are written down: audit details and logs.

An 18-character 统一社会信用代码 (GB 32100) or 居民身份证号码 (GB 11643) keeps its first and
last 4 characters (portal.masking.mask_identifier); everything else is left as it was.
"""
import logging
import re

from portal.masking import mask_identifier

# 18 characters of the USCC alphabet (which also covers an ID number's digits and X), not
# part of a longer run of letters or digits. Chinese text around it is not a word character
# here, so "代码91450700…" is still found.
IDENTIFIER_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}(?![0-9A-Za-z])"
)


def mask_text(text: str) -> str:
    return IDENTIFIER_PATTERN.sub(lambda m: mask_identifier(m.group(0)), text)


def mask_data(value):
    """The same structure with every string masked (for JSON details)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {str(k): mask_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask_text(str(value))


class MaskIdentifiersFilter(logging.Filter):
    """Rewrites a record's message with identifiers masked (LOGGING["filters"])."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
