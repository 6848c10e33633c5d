"""What a 双随机 draw costs (issue 14), as ratios to the least work any repeatable draw must do, timed in the same run.

The reference is hashing every pool number once with SHA-256 (a repeatable draw of N entities has to derive
at least one random value per entity from the seed). Measured for pools of 1,000, 10,000 and 100,000 entities:

  (a) supervision.draw_algorithm.draw, a 10 % sample with 2 of 20 inspectors each and one conflict in ten;
  (b) scripts/redraw.py's own implementation on the same published data, as a citizen would run it.

Medians of R runs. The database side of a draw (the pool's one values query, the bulk inserts) is in
bench/explain_lists.py's plans at a million applications.

    .venv/bin/python bench/draw_bench.py [-r 5]
"""
import argparse
import hashlib
import importlib.util
import secrets
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from supervision import draw_algorithm  # noqa: E402  (no Django: the algorithm is the standard library's)


def _redraw_module():
    spec = importlib.util.spec_from_file_location("redraw", BASE_DIR / "scripts" / "redraw.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_seconds(function, repeat) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def published(size: int) -> dict:
    roster = [f"45070{n:04d}" for n in range(20)]
    exclusions = [[n, roster[n % 20]] for n in range(1, size + 1, 10)]
    return {"seed": secrets.token_hex(32), "pool_size": size, "roster": roster, "exclusions": exclusions,
            "sample": draw_algorithm.sample_size(size, percent=10), "per_entity": 2}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--repeat", type=int, default=5)
    args = parser.parse_args()
    redraw = _redraw_module()
    print(f"{'pool':>8} {'reference ms':>13} {'draw ms':>9} {'× ref':>7} {'redraw.py ms':>13} {'× ref':>7}")
    for size in (1_000, 10_000, 100_000):
        data = published(size)
        reference = median_seconds(lambda: [hashlib.sha256(f"{data['seed']}:{n}".encode()).hexdigest()
                                            for n in range(1, size + 1)], args.repeat)
        drawn = median_seconds(lambda: draw_algorithm.draw(
            seed=data["seed"], pool_size=size, sample=data["sample"], roster=data["roster"],
            per_entity=data["per_entity"], exclusions=data["exclusions"]), args.repeat)
        again = median_seconds(lambda: redraw.redraw(_as_published(data)), args.repeat)
        print(f"{size:>8} {reference * 1000:>13.1f} {drawn * 1000:>9.1f} {drawn / reference:>7.2f} "
              f"{again * 1000:>13.1f} {again / reference:>7.2f}")


def _as_published(data) -> dict:
    return {"algorithm": draw_algorithm.ALGORITHM, "seed": data["seed"],
            "pool": [{"n": n} for n in range(1, data["pool_size"] + 1)],
            "roster": [{"code": code} for code in data["roster"]], "exclusions": data["exclusions"],
            "inspectors_per_entity": data["per_entity"], "sample_percent": 10, "sample_count": None, "picks": []}


if __name__ == "__main__":
    main()
