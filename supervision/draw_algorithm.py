"""The draw of 双随机 (issue 14), as a pure function of what a plan publishes: anyone can repeat it.

Algorithm "sha256-rank-v1" (README, "双随机：抽取算法"):
- rank(parts) = SHA-256 of the UTF-8 text of the parts joined by ":" (the seed first), as hex.
- Entities: the pool is numbered 1..N in the published order; entry n ranks by rank(seed, n); the sample
  is the k entries with the smallest ranks, in that order (ties, never seen in practice, by n).
- Inspectors: for each picked entry in turn, the roster's inspectors not excluded for it (回避: a published
  pair [n, code]) are ordered by how many entities they already drew in this draw, then by
  rank(seed, n, code), then by code; the first `per_entity` are drawn. Counting the load first spreads the
  work; the rank makes the choice among equals random.
- k: with a percentage p, ceil(N × p / 100); with a count c, min(c, N).

No Django and nothing but the standard library, so that scripts/redraw.py can check a published draw.
"""
import hashlib
import math

ALGORITHM = "sha256-rank-v1"


def rank(*parts) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def sample_size(pool_size: int, *, percent: int | None = None, count: int | None = None) -> int:
    if percent is not None:
        return min(pool_size, math.ceil(pool_size * percent / 100))
    return min(pool_size, count or 0)


def draw(*, seed: str, pool_size: int, sample: int, roster: list[str], per_entity: int,
         exclusions=()) -> list[tuple[int, list[str]]]:
    """[(pool number, [inspector codes])] in the order drawn. `exclusions` holds (pool number, code) pairs.
    Raises ValueError when an entity cannot get `per_entity` inspectors (the portal checks that first)."""
    excluded = {(int(n), str(code)) for n, code in exclusions}
    picked = sorted(range(1, pool_size + 1), key=lambda n: (rank(seed, n), n))[:sample]
    load = dict.fromkeys(roster, 0)
    result = []
    for n in picked:
        eligible = sorted((code for code in roster if (n, code) not in excluded),
                          key=lambda code: (load[code], rank(seed, n, code), code))
        if len(eligible) < per_entity:
            raise ValueError(f"entry {n} has {len(eligible)} eligible inspectors, {per_entity} needed")
        chosen = eligible[:per_entity]
        for code in chosen:
            load[code] += 1
        result.append((n, chosen))
    return result
