"""How personal data is shortened wherever it is shown to someone who may not see all of it.

- An 18-character 统一社会信用代码 (GB 32100) or 居民身份证号码 (GB 11643) keeps its first and
  last 4 characters: lists, logs, the audit trail, and viewers without the right to the identity.
- A person's name keeps the surname (张三 -> 张*): public lists and the verification page.
"""


def mask_identifier(value: str) -> str:
    """Show the first 4 and last 4 characters only."""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_person_name(name: str) -> str:
    """张三 -> 张*: the surname is enough for the public; at least one star, so 张 -> 张*."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
