"""Create or refresh the database role the running application connects as (portal/sql/app_role.sql).

Run by the owner of the tables after migrating (docker-compose's migrate service): the web,
worker and beat then connect as this role, which reads and writes rows but cannot TRUNCATE,
DROP or ALTER a table. The name and password come from the environment, never the command line.
"""
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SQL = Path(__file__).resolve().parents[2] / "sql" / "app_role.sql"


class Command(BaseCommand):
    help = gettext_lazy("创建或更新应用程序连接数据库所用的角色（只能读写数据行，不能清空、删除或修改表）。")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("仅适用于 PostgreSQL 数据库。"))
        role = os.environ.get("PORTAL_APP_USER", "portal_app")
        password = os.environ.get("PORTAL_APP_PASSWORD", "")
        if not password:
            raise CommandError(_("请在环境变量 PORTAL_APP_PASSWORD 中设置应用角色的密码。"))
        with transaction.atomic(), connection.cursor() as cursor:
            # Local to this transaction: the password does not outlive it in the session.
            cursor.execute("SELECT set_config('portal.app_role', %s, true), set_config('portal.app_password', %s, true)",
                           [role, password])
            cursor.execute(SQL.read_text(encoding="utf-8"))
        self.stdout.write(_("应用角色 %(role)s 已就绪：可读写数据行，不能清空、删除或修改表。") % {"role": role})
