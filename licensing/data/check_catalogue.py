#!/usr/bin/env python3
"""Self-check for licensing/data/catalogue.json (stdlib only).

Usage: python3 licensing/data/check_catalogue.py [path/to/catalogue.json]
Prints "ok" and exits 0, or prints each problem and exits 1.
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "catalogue.json")

# CJK ideographs, CJK symbols/punctuation, full-width forms, Chinese quotes/dash/ellipsis
CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
WS_NEAR_CJK = re.compile(r"[%s]\s|\s[%s]" % (CJK, CJK))
MODES = ("cancel", "filing", "commitment", "optimise")
COMPRESSIONS = ("none", "unspecified", "one_third", "one_quarter", "fixed", "local")
LEVELS = ("national", "region", "city", "county")
ROLES = ("审批", "初审", "审核", "审查", "委托")
LEVEL_PREFIX = {"national": "N", "region": "R", "city": "C", "county": "D"}
# "source" is the citation string fixed by the spec; it is checked for equality instead.
SOURCE = "钦政发〔2019〕18号 附件2 钦州市第一批“证照分离”改革的具体事项表"
# What the gazette printed, kept as printed beside a repair (issue 11): OCR spaces and half-width
# punctuation included, so these fields skip the text-hygiene checks.
AS_PRINTED_FIELDS = ("printed_name", "printed_authorities")
NOTE_FIELDS = ("repair_note", "authority_note")
# Organisations whose name keeps the gazette's wording, half-width "(市)" included (item 55, issue 11),
# instead of being merged with a similar one; the code is the similar one's plus a letter (D07B).
AS_PRINTED_ORGS = {"D07B": "各县(市)人民政府文化广电旅游体育部门"}


def main():
    problems = []
    err = problems.append

    try:
        with open(PATH, encoding="utf-8") as fh:
            doc = json.load(fh)
    except Exception as exc:  # noqa: BLE001
        print(f"cannot load {PATH}: {exc}")
        return 1

    if doc.get("source") != SOURCE:
        err(f"source is {doc.get('source')!r}")
    orgs = doc.get("organisations", [])
    items = doc.get("items", [])

    # ---------------------------------------------------------- organisations
    org_codes = [o.get("code") for o in orgs]
    for code, n in Counter(org_codes).items():
        if n > 1:
            err(f"organisation code {code} used {n} times")
    for name, n in Counter(o.get("name") for o in orgs).items():
        if n > 1:
            err(f"organisation name {name} listed {n} times")
    for o in orgs:
        lv = o.get("level")
        if lv not in LEVELS:
            err(f"organisation {o.get('code')}: bad level {lv!r}")
        elif not re.fullmatch(LEVEL_PREFIX[lv] + r"\d{2}[A-Z]?", o.get("code") or ""):
            err(f"organisation {o.get('code')}: code does not match level {lv}")
        if o.get("kind") != "authority":
            err(f"organisation {o.get('code')}: kind {o.get('kind')!r}")
    org_set = set(org_codes)

    # ---------------------------------------------------------- items
    if len(items) != 102:
        err(f"expected 102 items, found {len(items)}")
    seqs = {it.get("seq_no") for it in items}
    if seqs != set(range(1, 101)):
        missing = sorted(set(range(1, 101)) - seqs)
        extra = sorted(s for s in seqs - set(range(1, 101)) if s is not None)
        err(f"seq_no set is not 1..100 (missing {missing}, unexpected {extra})")

    mode_by_seq = {}
    for it in items:
        s, m = it.get("seq_no"), it.get("reform_mode")
        if s in mode_by_seq and mode_by_seq[s] != m:
            err(f"seq_no {s}: items disagree on reform_mode")
        mode_by_seq[s] = m
    counts = Counter(mode_by_seq.values())
    want = {"cancel": 2, "filing": 1, "commitment": 16, "optimise": 81}
    if dict(counts) != want:
        err(f"mode counts by distinct seq_no {dict(counts)} != {want}")

    codes = [it.get("code") for it in items]
    for code, n in Counter(codes).items():
        if n > 1:
            err(f"item code {code} used {n} times")
    seq_count = Counter(it.get("seq_no") for it in items)
    for it in items:
        s = it.get("seq_no")
        if seq_count[s] == 1:
            if it.get("code") != f"QZ-{s:03d}":
                err(f"seq_no {s}: code {it.get('code')!r}")
        elif not re.fullmatch(rf"QZ-{s:03d}[AB]", it.get("code") or ""):
            err(f"seq_no {s}: code {it.get('code')!r} for a shared 序号")

    used = set()
    for it in items:
        tag = it.get("code")
        if it.get("reform_mode") not in MODES:
            err(f"{tag}: bad reform_mode {it.get('reform_mode')!r}")
        if not it.get("name"):
            err(f"{tag}: empty name")
        auths = it.get("authorities") or []
        if not auths:
            err(f"{tag}: no authorities")
        pairs = Counter((a.get("org"), a.get("role")) for a in auths)
        for (org, role), n in pairs.items():
            if n > 1:  # the loader enforces a unique (item, organisation, role)
                err(f"{tag}: authority {org}/{role} listed {n} times")
        if len(it.get("name") or "") > 255:
            err(f"{tag}: name longer than 255 characters")
        for a in auths:
            if a.get("org") not in org_set:
                err(f"{tag}: authority org {a.get('org')!r} not in organisations")
            used.add(a.get("org"))
            if a.get("role") not in ROLES:
                err(f"{tag}: bad role {a.get('role')!r}")
            for k in ("variant_name", "remark"):
                if not isinstance(a.get(k), str):
                    err(f"{tag}: authority {k} is not a string")
        measures = it.get("measures")
        if not isinstance(measures, list) or not measures:
            err(f"{tag}: no measures")
            measures = []
        for i, m in enumerate(measures, 1):
            if not isinstance(m, str) or not m.endswith("。"):
                err(f"{tag}: measure {i} does not end with 。: {m!r}")
            elif re.match(r"\s*\d+[.．、]", m):
                err(f"{tag}: measure {i} keeps its numbering: {m[:12]!r}")
        if not isinstance(it.get("remark"), str):
            err(f"{tag}: remark is not a string")
        check_as_printed(it, err)
        check_entrusted(it, org_set, err)

        comp = it.get("compression")
        if comp not in COMPRESSIONS:
            err(f"{tag}: bad compression {comp!r}")
        if it.get("reform_mode") == "commitment" and comp != "none":
            err(f"{tag}: commitment item with compression {comp!r}")
        sd, cd = it.get("statutory_days"), it.get("committed_days")
        if comp == "fixed":
            if not (isinstance(sd, int) and isinstance(cd, int) and cd < sd):
                err(f"{tag}: fixed compression needs statutory_days > committed_days")
        elif sd is not None or cd is not None:
            err(f"{tag}: day figures without fixed compression")

    for code in sorted(org_set - used):
        err(f"organisation {code} is never used")

    # ---------------------------------------------------------- text hygiene
    def strings(obj, path):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield from strings(v, f"{path}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                yield from strings(v, f"{path}[{i}]")
        elif isinstance(obj, str):
            yield path, obj

    for path, s in strings({k: v for k, v in doc.items() if k != "source"}, "$"):
        if path.rsplit(".", 1)[-1] in AS_PRINTED_FIELDS:
            continue
        for name in AS_PRINTED_ORGS.values():
            s = s.replace(name, "")
        if s != s.strip():
            err(f"{path}: leading/trailing whitespace: {s!r}")
        m = WS_NEAR_CJK.search(s)
        if m:
            err(f"{path}: whitespace next to CJK text near {s[max(0, m.start() - 6):m.end() + 6]!r}")
        low = s.lower()
        if "<li" in low or "</li" in low or "<ol" in low or "</ol" in low:
            err(f"{path}: HTML list markup left: {s[:40]!r}")
        if re.search(r"[,();:]", s):
            err(f"{path}: half-width punctuation left: {s!r}")

    if problems:
        for p in problems:
            print(p)
        return 1
    print("ok")
    return 0


def check_as_printed(it, err):
    """The printed text and the notes on a repair (issue 11): strings; a printed name needs its
    repair note (what was inferred and why)."""
    tag = it.get("code")
    for key in AS_PRINTED_FIELDS + NOTE_FIELDS:
        value = it.get(key, "")
        if not isinstance(value, str):
            err(f"{tag}: {key} is not a string")
        elif key in AS_PRINTED_FIELDS and len(value) > 255:
            err(f"{tag}: {key} longer than 255 characters")
    if it.get("printed_name") and not it.get("repair_note"):
        err(f"{tag}: printed_name without a repair_note")
    if it.get("printed_name") == it.get("name") and it.get("printed_name"):
        err(f"{tag}: printed_name equals the name (nothing was repaired)")


def check_entrusted(it, org_set, err):
    """A 委托 row names the authority that entrusted it, an approving authority of the same item
    (行政许可法 第二十四条); no other row names one."""
    tag = it.get("code")
    approvers = {a.get("org") for a in it.get("authorities") or [] if a.get("role") == "审批"}
    for a in it.get("authorities") or []:
        by = a.get("entrusted_by")
        if a.get("role") == "委托" and not by:
            err(f"{tag}: 委托 row {a.get('org')} without entrusted_by")
        elif a.get("role") != "委托" and by:
            err(f"{tag}: entrusted_by on a {a.get('role')} row {a.get('org')}")
        elif by and (by not in org_set or by not in approvers):
            err(f"{tag}: entrusted_by {by!r} is not an approving authority of the item")


if __name__ == "__main__":
    sys.exit(main())
