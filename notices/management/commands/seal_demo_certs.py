"""manage.py seal_demo_certs [机构代码 …]: a self-signed demonstration seal for each organisation that
has none (issue 12). scripts/run calls it, so the demo's documents are signed out of the box.

The documents such a seal signs say plainly that it is a demonstration, not a legal 电子印章
(GB/T 38540): a self-signed certificate is always treated so (notices/seal.py). In production, put
each organisation's own certificate and key in DOCUMENT_SEAL_DIR/<机构代码>/ instead.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notices.seal import SealError, make_demo_seal
from portal.models import Organisation


class Command(BaseCommand):
    help = gettext_lazy("为尚无签章证书的机构生成演示用自签名证书（非法定电子印章），存放于 DOCUMENT_SEAL_DIR。")

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help=gettext_lazy("机构代码（缺省为全部机构）"))
        parser.add_argument("--replace", action="store_true", help=gettext_lazy("已有证书的也重新生成"))

    def handle(self, *args, codes, replace, **options):
        organisations = Organisation.objects.order_by("code")
        if codes:
            organisations = organisations.filter(code__in=codes)
            missing = sorted(set(codes) - set(organisations.values_list("code", flat=True)))
            if missing:
                raise CommandError(_("没有这些机构代码：%(codes)s。") % {"codes": _("、").join(missing)})
        made = 0
        for organisation in organisations:
            try:
                if make_demo_seal(organisation, replace=replace) is not None:
                    made += 1
            except SealError as refused:
                raise CommandError(str(refused)) from None
        self.stdout.write(ngettext("已生成 %(count)d 个演示签章证书（%(folder)s）；演示签章不是法定电子印章，文书上注明。",
                                   "已生成 %(count)d 个演示签章证书（%(folder)s）；演示签章不是法定电子印章，文书上注明。",
                                   made) % {"count": made, "folder": settings.DOCUMENT_SEAL_DIR})
