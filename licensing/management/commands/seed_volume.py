"""`manage.py seed_volume --applications N`: volume data for measuring the portal (issue 13).

Never part of the demo (scripts/run does not call it) and never for production: it adds made-up
enterprises and applications. licensing/volume.py says what it writes and why.
"""
from django.core.management.base import BaseCommand, CommandError

from licensing.volume import DEFAULT_SEED, NoCatalogue, seed_volume


class Command(BaseCommand):
    help = ("添加 N 件压测用办件（含申请人、办件记录、承诺书、许可证、事后核查等），用于测量十万、百万办件时的性能。"
            "仅用于压测，切勿在生产环境运行；不属于演示数据。")

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True, help="要添加的办件数")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"随机种子（默认 {DEFAULT_SEED}）：同一数据库、同一种子生成相同的数据")

    def handle(self, *args, applications, seed, **options):
        if applications < 1:
            raise CommandError("--applications 应为正整数。")
        try:
            report = seed_volume(applications, seed=seed, progress=self._progress)
        except NoCatalogue as missing:
            raise CommandError(str(missing)) from None
        self.stdout.write(self.style.SUCCESS(f"已添加 {applications} 件压测办件，用时 {report.seconds:.1f} 秒，"
                                             f"共写入 {report.rows} 行（{report.rate:,.0f} 行/秒）："))
        for name, count in report.counts.items():
            self.stdout.write(f"  {name:<12} {count:>10,}")

    def _progress(self, done, total, seconds):
        self.stdout.write(f"  {done:,}/{total:,} 件，{seconds:.1f} 秒")
