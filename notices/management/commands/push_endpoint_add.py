"""manage.py push_endpoint_add <organisation code> <url>: the admin page's "add endpoint", from a shell.

Prints the new whsec_ secret, the one time it is shown (issue 9); hand it to the receiver.
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.endpoints import endpoint_add
from portal.exceptions import ServiceError
from portal.models import Organisation


class Command(BaseCommand):
    help = gettext_lazy("为机构添加审批信息接收接口（Standard Webhooks 签名），并打印新的签名密钥（只显示这一次）。")

    def add_arguments(self, parser):
        parser.add_argument("organisation_code", help=gettext_lazy("机构代码"))
        parser.add_argument("url", help=gettext_lazy("接收地址（https://…）"))

    def handle(self, *args, organisation_code, url, **options):
        organisation = Organisation.objects.filter(code=organisation_code).first()
        if organisation is None:
            raise CommandError(_("没有机构代码为“%(code)s”的机构。") % {"code": organisation_code})
        try:
            endpoint, secret = endpoint_add(organisation=organisation, url=url, actor=None)
        except ServiceError as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(_("已为%(organisation)s添加接收接口：%(url)s") % {"organisation": organisation, "url": endpoint.url})
        self.stdout.write(_("签名密钥（只显示这一次，请交给接收方妥善保存）："))
        self.stdout.write(secret)
