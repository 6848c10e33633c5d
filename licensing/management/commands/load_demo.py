from django.core.management.base import BaseCommand

from licensing.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "创建每个角色的演示账号并填充演示事项（仅用于演示，切勿在生产环境运行）。"

    def handle(self, *args, **options):
        users = load_demo()
        self.stdout.write(self.style.WARNING("演示账号仅用于演示，请勿在生产环境使用："))
        for user in users:
            self.stdout.write(f"  {user.username:<16} {user.get_role_display():<8} 密码 {DEMO_PASSWORD}")
        self.stdout.write("工作人员账号输入密码后还须输入动态验证码：演示环境可用以下备用码，每个每账号只能用一次，"
                          "重新运行 load_demo 即全部恢复：")
        self.stdout.write("  " + " ".join(DEMO_BACKUP_CODES))
