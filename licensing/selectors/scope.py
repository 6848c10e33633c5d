"""The business-scope finder (经营范围 → 许可事项, issue 15): the catalogue items a business scope probably needs.

钦政发〔2019〕20号 三（三）asks the registration side to "厘清《清单》内事项与营业执照经营范围的对应关系，精准告知
企业需要办理的经营许可事项". The mapping is the table of ScopeKeyword rows (wording a business scope uses, e.g.
“住宿服务” → item 13), shipped in licensing/data/scope_keywords.json and kept by admins. items_for_scope() is the
one place that reads it: the /finder/ page, GET /api/v1/items/?scope=… and the 双告知 intake of registrations
(issue 16) all call it, so they cannot disagree.

How a text is matched:
- A long scope, as printed on a business licence (hundreds of characters, separated by ；;，,、。 or new lines,
  with 一般项目/许可项目 headings), matches every keyword it contains. Before that, what would match wrongly is
  taken out: the boilerplate (“依法须经批准的项目，经相关部门批准后方可开展经营活动……”, “除依法须经批准的项目外，
  凭营业执照依法自主开展经营活动”) and exclusions (“市场调查（不含涉外调查）”, “化工产品销售（危险化学品除外）”:
  the enterprise says it does not do that).
- A short query (one phrase of up to SHORT_QUERY_MAX_CHARS characters, e.g. “酒”, “旅馆”) also matches the
  keywords and the item names that contain it: nobody types a whole keyword to look an item up.
- The longest keyword wins where keywords overlap: “成品油” found only inside “成品油零售” does not count for
  item 51 (成品油批发), nor “食品生产” inside “保健食品生产” a second time.
- An item scores the weights of the distinct keywords found for it; for a short query, plus the best weight
  among its keywords that contain the query and NAME_WEIGHT when its name does. Items are ranked by score,
  then by 序号.

Why substring matching in memory, and not jieba or pg_trgm (bench/finder_bench.py --alternatives, 2026-12-04 on
the shared 2-core machine under a load of 8–10, so each figure is a range over runs; 351 keywords, 102 items):
- The table is small (351 keywords, about 10 KB), changes only when an admin edits it, and every keyword is a
  fixed phrase: "does the text contain it" is the whole question. It is read once into the shared cache under
  the catalogue's version (licensing.selectors.catalogue.CATALOGUE, renewed on every save and delete of an
  Item or a ScopeKeyword, licensing/apps.py) and kept in the process until that version changes, so a match
  is str.find per keyword and no query: 0.05–0.14 ms for “酒” or “旅馆” (0.1–0.2 × a bare Django view), 0.3–0.5 ms
  for a 600-character scope (0.4–0.9 ×).
- jieba segments before anything can be matched: 2.9–4.2 s to load its dictionary in each process, then
  1.1–9 ms for the same 600 characters (4–16 × the bare view), and its words do not line up with the
  keywords: it keeps “住宿服务” whole but cuts “食品销售” into 食品/销售, “道路旅客运输经营” into 道路/旅客/运输/经营
  and “危险化学品经营” into 危险/化学品/经营, and leaves “酒” alone, so the keywords would still be matched as
  substrings afterwards (or jieba's dictionary kept in step with the table).
- pg_trgm makes no trigram of a 1- or 2-character query, so LIKE '%酒%' is a sequential scan whatever the
  index, and "which keywords does this 600-character text contain" cannot use an index on the keyword column
  (the column is the pattern). On 351 rows PostgreSQL scans fast (LIKE 0.07–0.09 ms, strpos over the 600
  characters 0.43 ms, round trip included): the index would buy nothing, and the finder would be tied to
  PostgreSQL (the tests and the benches run on SQLite too) and to a query per question.
"""
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from licensing.constants import ReformMode
from licensing.models import Item, ScopeKeyword
from licensing.selectors.catalogue import CATALOGUE

SCOPE_MAX_CHARS = 2000
SHORT_QUERY_MAX_CHARS = 8
NAME_WEIGHT = 2

# Headings of the 经营范围规范表述 (一般项目：… 许可项目：…) and of older licences (一般经营项目是：…).
_HEADINGS = re.compile(r"(?:经营范围|(?:一般|许可|前置许可|后置许可)(?:经营)?项目(?:是|为)?)\s*:")
# A parenthesis that excludes, or is boilerplate: removed whole before matching, innermost first.
_EXCLUDING = re.compile(r"\([^()]*?(?:不含|不包含|不包括|不涉及|不得|不从事|不经营|除外|除[^()]*?外|依法须经批准|方可)[^()]*\)")
_SEPARATORS = re.compile(r"[;,、。:\n\t]+")
_SPACES = re.compile(r"[ \u00a0\u3000\r]+")
# A segment with one of these is the registration's boilerplate, not an activity.
_BOILERPLATE = ("依法须经批准", "经相关部门批准", "批准文件", "许可证件为准", "依法自主开展", "方可开展", "方可经营")
# A segment that starts or ends so excludes what it names (“……，不含危险化学品”, “……，危险化学品除外”).
_EXCLUDES_FROM = ("不含", "不包含", "不包括", "不涉及", "不得", "不从事", "不经营")


class ScopeInvalid(ValueError):
    """A text the finder cannot take (empty, too long); `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FinderItem:
    """What the finder shows of an item, read with the keyword table (no query per result)."""

    pk: int
    code: str
    seq_no: int
    name: str
    name_en: str
    reform_mode: str

    @property
    def reform_mode_label(self) -> str:
        return ReformMode(self.reform_mode).label


@dataclass(frozen=True)
class ScopeMatch:
    item: FinderItem
    matched: tuple[str, ...]  # the words that matched, as the table writes them, in the text's order
    score: int


@dataclass(frozen=True)
class ScopeTable:
    keywords: tuple[tuple[str, str, int, int], ...]  # (normalised, as written, item pk, weight)
    names: tuple[tuple[str, int], ...]  # (normalised item name, item pk)
    items: dict  # pk -> FinderItem


def normalise(text: str) -> str:
    """Full-width letters, digits and punctuation as half-width (NFKC: “；” → “;”, “（” → “(”), Latin in lower
    case (“KTV”), and no spaces: OCR and pasting break words with them (“住宿 服务”)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).casefold())


def scope_check(text) -> str:
    """The text with its outer blanks stripped, or ScopeInvalid: nothing to match, or over SCOPE_MAX_CHARS
    (a business scope as printed stays far below it; the limit bounds the work of one request)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ScopeInvalid(_("请填写经营范围，或输入要查找的关键词（如“酒”“旅馆”）。"))
    if len(text) > SCOPE_MAX_CHARS:
        raise ScopeInvalid(_("经营范围最多 %(limit)s 个字，现有 %(count)s 个字，请分段查询。")
                           % {"limit": SCOPE_MAX_CHARS, "count": len(text)})
    return text


def scope_segments(text: str) -> list[str]:
    """The activities of a normalised scope, without headings, boilerplate or what it excludes."""
    text = _HEADINGS.sub("\n", text)
    while True:
        stripped = _EXCLUDING.sub("\n", text)
        if stripped == text:
            break
        text = stripped
    segments = (segment.strip("()[]【】") for segment in _SEPARATORS.split(text))
    return [segment for segment in segments if segment and not _is_boilerplate(segment)]


def _is_boilerplate(segment: str) -> bool:
    return (any(marker in segment for marker in _BOILERPLATE) or segment.startswith(_EXCLUDES_FROM)
            or segment.endswith("除外"))


# --- the table, from the shared cache ---------------------------------------------------------------
# The version's token is checked on every call (one cache read); the table is unpickled from the cache only
# when the token changed, then kept in the process.

_kept: tuple[str, ScopeTable] | None = None


def scope_table() -> ScopeTable:
    global _kept
    version = CATALOGUE.current()
    kept = _kept
    if kept is not None and kept[0] == version.token:
        return kept[1]
    table = CATALOGUE.get_or_make(version, ("scope-table",), _read_table)
    _kept = (version.token, table)
    return table


def _read_table() -> ScopeTable:
    items = {row["pk"]: FinderItem(**row) for row in
             Item.objects.values("pk", "code", "seq_no", "name", "name_en", "reform_mode")}
    rows = ScopeKeyword.objects.order_by("item_id", "-weight", "keyword").values_list("keyword", "item_id", "weight")
    keywords = tuple((normalise(keyword), keyword, item_id, weight) for keyword, item_id, weight in rows
                     if normalise(keyword) and item_id in items)  # an item added between the two reads waits
    names = tuple((normalise(item.name), pk) for pk, item in items.items())
    return ScopeTable(keywords=keywords, names=names, items=items)


# --- matching ---------------------------------------------------------------------------------------

def items_for_scope(text) -> list[ScopeMatch]:
    """The items a business scope (or a short query) probably needs, best first, each with the words that
    matched; ScopeInvalid for a text that cannot be taken (the page and the API answer 400)."""
    segments = scope_segments(normalise(scope_check(text)))
    table = scope_table()
    found = _found_in(table, "\n".join(segments))
    query = segments[0] if len(segments) == 1 and len(segments[0]) <= SHORT_QUERY_MAX_CHARS else None
    extra = _containing(table, query, found) if query else {}
    matches = [_match(table.items[pk], found.get(pk, []), extra.get(pk)) for pk in found.keys() | extra.keys()]
    return sorted(matches, key=lambda m: (-m.score, m.item.seq_no, m.item.code))


def _found_in(table: ScopeTable, text: str) -> dict[int, list]:
    """Per item, the keywords the text contains, each once at its first place: (position, normalised, as
    written, weight). The longest match wins: a keyword found only inside a longer one is not counted
    (“成品油” inside “成品油零售” is not item 51's 成品油批发, “危险化学品” inside “危险化学品包装物” no chemical)."""
    places = [(at, at + len(keyword), keyword, written, pk, weight)
              for keyword, written, pk, weight in table.keywords for at in _places(text, keyword)]
    inside = _inside_longer({(start, end) for start, end, *_ in places})
    found = {}
    for start, end, keyword, written, pk, weight in sorted(places):
        if (start, end) not in inside and not any(keyword == w[1] for w in found.get(pk, [])):
            found.setdefault(pk, []).append((start, keyword, written, weight))
    return found


def _inside_longer(spans: set) -> set:
    """The spans (start, end) that lie within another, longer one; one pass over them sorted, longest first
    at each start, so a text of 2,000 characters repeating one keyword costs no more than reading it."""
    inside, reach = set(), -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if reach >= end:
            inside.add((start, end))
        reach = max(reach, end)
    return inside


def _places(text: str, keyword: str):
    at = text.find(keyword)
    while at >= 0:
        yield at
        at = text.find(keyword, at + 1)


def _containing(table: ScopeTable, query: str, found: dict) -> dict[int, tuple]:
    """For a short query, per item: (the keywords containing it that were not found as they are, the query
    when the item's name contains it, the score they add: the best of those keywords' weights, and
    NAME_WEIGHT for the name)."""
    words = {}
    for keyword, written, pk, weight in table.keywords:
        if query in keyword and not any(keyword == w[1] for w in found.get(pk, [])):
            words.setdefault(pk, []).append((-weight, written))
    named = {pk for name, pk in table.names if query in name}
    extra = {}
    for pk in words.keys() | named:
        containing = sorted(words.get(pk, []))
        added = (-containing[0][0] if containing else 0) + (NAME_WEIGHT if pk in named else 0)
        extra[pk] = ([word[1] for word in containing], query if pk in named else None, added)
    return extra


def _match(item: FinderItem, words: list, extra) -> ScopeMatch:
    matched = [word[2] for word in sorted(words)]
    score = sum(word[3] for word in words)
    if extra is not None:
        containing, name_word, added = extra
        matched += [w for w in [name_word, *containing] if w is not None and w not in matched]
        score += added
    return ScopeMatch(item=item, matched=tuple(matched), score=score)
