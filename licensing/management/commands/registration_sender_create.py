"""manage.py registration_sender_create --name 钦州市市场监督管理局登记系统 [--organisation CODE]: a system allowed to
post registrations to /api/v1/registrations/ (双告知, issue 16), as the admin page's "add".

Prints its bearer token and its whsec_ signing secret, the one time the token is shown (only its SHA-256 is
kept); hand both to the registration system.
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licensing.services.registrations import registration_sender_create
from portal.exceptions import ServiceError
from portal.models import Organisation


class Command(BaseCommand):
    help = gettext_lazy("添加登记信息发送方（双告知），并打印其令牌和签名密钥（只显示这一次）。")

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help=gettext_lazy("发送方名称，如 钦州市市场监督管理局登记系统"))
        parser.add_argument("--organisation", default=None, help=gettext_lazy("所属部门的机构代码（可不填）"))

    def handle(self, *args, name, organisation, **options):
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                raise CommandError(_("没有机构代码为“%(code)s”的机构。") % {"code": organisation})
        try:
            sender, token = registration_sender_create(name=name, organisation=org)
        except ServiceError as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(_("已添加登记信息发送方：%(name)s") % {"name": sender.name})
        self.stdout.write(_("令牌（请求头 Authorization: Bearer <令牌>；只显示这一次，请交给登记系统妥善保存）："))
        self.stdout.write(token)
        self.stdout.write(_("签名密钥（Standard Webhooks，whsec_）："))
        self.stdout.write(sender.secret)
