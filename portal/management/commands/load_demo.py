from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "创建每个角色的演示账号并填充演示事项（仅用于演示，切勿在生产环境运行）。"

    def handle(self, *args, **options):
        users = load_demo()
        self.stdout.write(self.style.WARNING("演示账号仅用于演示，请勿在生产环境使用："))
        for user in users:
            self.stdout.write(f"  {user.username:<16} {user.get_role_display():<8} 密码 {DEMO_PASSWORD}")
