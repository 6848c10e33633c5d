#!/usr/bin/env python3
"""Re-run a published 双随机 draw and compare it with the picks the portal published.

    python3 scripts/redraw.py SJ2026-00001.json
    python3 scripts/redraw.py https://<portal>/disclosure/draws/SJ2026-00001.json

Needs nothing but the Python standard library and the published data (the JSON the public page offers
for download): the pool, the roster, the exclusions (回避), the seed, the sample and the number of
inspectors per entity. It does not use the portal's code: the algorithm below is written again from its
description (README, "双随机：抽取算法"), so a mistake or a change on either side shows as a difference.

Algorithm "sha256-rank-v1":
- rank(parts) = SHA-256 (hex) of the UTF-8 text of the parts joined by ":", the seed first.
- The pool is numbered 1..N as published. k = ceil(N × percent / 100) for a percentage, min(count, N) for
  a count. Entity n ranks by rank(seed, n); the picks are the k smallest ranks, in that order (ties by n).
- For each picked entity n in turn: the roster's inspectors without a published exclusion [n, code],
  ordered by how many entities they were already drawn for in this draw, then by rank(seed, n, code), then
  by code; the first `inspectors_per_entity` are drawn.

Exit status: 0 and "一致" when the picks are the same; 1 with the differences when they are not; 2 when the
data cannot be read or name another algorithm.
"""
import argparse
import hashlib
import json
import math
import sys
import urllib.request

ALGORITHM = "sha256-rank-v1"


class Unreadable(Exception):
    pass


def rank(*parts) -> str:
    return hashlib.sha256(":".join(str(part) for part in parts).encode("utf-8")).hexdigest()


def sample_size(pool_size, percent, count) -> int:
    if percent is not None:
        return min(pool_size, math.ceil(pool_size * int(percent) / 100))
    return min(pool_size, int(count or 0))


def redraw(data) -> list:
    """[(order, n, [codes in the order drawn])] from the published data alone."""
    seed, size = data["seed"], len(data["pool"])
    roster = [entry["code"] for entry in data["roster"]]
    excluded = {(int(n), str(code)) for n, code in data["exclusions"]}
    per_entity = int(data["inspectors_per_entity"])
    k = sample_size(size, data.get("sample_percent"), data.get("sample_count"))
    picked = sorted(range(1, size + 1), key=lambda n: (rank(seed, n), n))[:k]
    load = dict.fromkeys(roster, 0)
    result = []
    for order, n in enumerate(picked, start=1):
        eligible = sorted((code for code in roster if (n, code) not in excluded),
                          key=lambda code: (load[code], rank(seed, n, code), code))
        chosen = eligible[:per_entity]
        if len(chosen) < per_entity:
            print(f"注意：名录第{n}户可选派的执法检查人员只有{len(chosen)}名，少于{per_entity}名。")
        for code in chosen:
            load[code] += 1
        result.append((order, n, chosen))
    return result


def differences(drawn, published) -> list[str]:
    """What differs between the re-run and the published picks (each pick's inspectors as a set)."""
    found = []
    mine = {order: (n, sorted(codes)) for order, n, codes in drawn}
    theirs = {}
    for pick in published:
        theirs[int(pick["order"])] = (int(pick["n"]), sorted(str(c) for c in pick["inspectors"]))
    if len(mine) != len(theirs):
        found.append(f"抽中户数不同：复现 {len(mine)} 户，公布 {len(theirs)} 户。")
    for order in sorted(set(mine) | set(theirs)):
        a, b = mine.get(order), theirs.get(order)
        if a == b:
            continue
        if a is None:
            found.append(f"第{order}户：复现没有这一户，公布为名录第{b[0]}户（{'、'.join(b[1])}）。")
        elif b is None:
            found.append(f"第{order}户：复现为名录第{a[0]}户（{'、'.join(a[1])}），公布没有这一户。")
        elif a[0] != b[0]:
            found.append(f"第{order}户：复现为名录第{a[0]}户，公布为名录第{b[0]}户。")
        else:
            found.append(f"第{order}户（名录第{a[0]}户）的执法检查人员：复现 {'、'.join(a[1])}，公布 {'、'.join(b[1])}。")
    return found


def load(source: str) -> dict:
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 (the user's own URL)
                text = response.read().decode("utf-8")
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise Unreadable(f"读不到公开数据 {source}：{exc}") from exc
    return data


def check(data) -> None:
    if not isinstance(data, dict):
        raise Unreadable("公开数据应为 JSON 对象。")
    missing = [key for key in ("algorithm", "seed", "pool", "roster", "exclusions", "inspectors_per_entity", "picks")
               if key not in data]
    if missing:
        raise Unreadable(f"公开数据缺少：{', '.join(missing)}。")
    if data["algorithm"] != ALGORITHM:
        raise Unreadable(f"本脚本只复现 {ALGORITHM} 算法，公开数据为 {data['algorithm']!r}。")
    numbers = [entry.get("n") for entry in data["pool"]]
    if numbers != list(range(1, len(numbers) + 1)):
        raise Unreadable("名录的序号应从1起连续编号。")


def show(data, drawn) -> None:
    pool = data["pool"]
    print(f"抽查计划 {data.get('number', '')} {data.get('title', '')}".rstrip())
    print(f"算法 {data['algorithm']}，随机种子 {data['seed']}")
    print(f"名录 {len(pool)} 户，抽取 {len(drawn)} 户，每户 {data['inspectors_per_entity']} 名执法检查人员")
    for order, n, codes in drawn:
        entry = pool[n - 1]
        print(f"{order:>4}. 名录第{n}户 {entry.get('name', '')}（{entry.get('code', '')}）：{'、'.join(codes)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="复现一次公开的双随机抽取，并与公布的抽取结果比对。")
    parser.add_argument("source", help="公开数据：JSON 文件的路径，或 /disclosure/draws/<计划编号>.json 的网址")
    args = parser.parse_args(argv)
    try:
        data = load(args.source)
        check(data)
        drawn = redraw(data)
    except (Unreadable, KeyError, TypeError, ValueError, IndexError) as exc:
        print(f"无法复现：{exc}", file=sys.stderr)
        return 2
    show(data, drawn)
    try:
        found = differences(drawn, data["picks"])
    except (KeyError, TypeError, ValueError) as exc:
        print(f"公布的抽取结果无法读取：{exc}", file=sys.stderr)
        return 2
    if found:
        print("不一致：")
        for line in found:
            print(f"  {line}")
        return 1
    print("一致：复现的抽取结果与公布的相同。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
