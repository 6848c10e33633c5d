"""Bring the English catalogues up to date with the code (issue 15), and compile them.

    manage.py update_catalogues                  every catalogue: the four apps and the root's
    manage.py update_catalogues portal root      some of them
    manage.py update_catalogues --compile        then compile every .po into its .mo (commit both)

Each app keeps its own catalogue (<app>/locale/en/LC_MESSAGES/django.po), made by makemessages run from
inside the app; the shared templates (templates/) have the root's (locale/, settings.LOCALE_PATHS), made by
makemessages run from the root with everything that is not templates/ ignored. msgids are the Chinese
source texts; only `en` has a catalogue. Locations are written as files only (no line numbers), so that
moving code does not rewrite the catalogues, and strings no longer in the code are dropped.

Needs GNU gettext (xgettext, msgmerge, msgfmt: scripts/install-system-deps). The catalogue check
(tests/portal/test_i18n.py) runs the same command over a copy of the repository.

makemessages runs in this process, in each folder in turn: not as `cd licensing && ../manage.py makemessages`,
because Celery's Django fix-up puts the working directory first on sys.path when the settings load, and an
app's own modules (licensing/rules.py, portal/calendar.py) would then stand in for the packages of the same
name (django-rules, the standard library's calendar).
"""
import contextlib
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.apps import PORTAL_APPS as APPS

ROOT = "root"
# What makemessages must not read when run from the root: the apps (their own catalogues) and whatever is
# not the portal's code. Dot-folders (.venv, .git) are ignored by makemessages itself.
ROOT_IGNORES = (*APPS, "node_modules", "tests", "bench", "var", "scripts", "static", "*.egg-info")
MAKEMESSAGES = {"locale": ["en"], "add_location": "file", "no_obsolete": True}
# compilemessages walks the whole tree for locale/ folders: not into .venv (Django's own) and the like.
COMPILE_IGNORES = (".*", *ROOT_IGNORES[len(APPS):])


def catalogue_folder(target: str, base: Path) -> Path:
    """The folder makemessages runs in for `target` (an app, or "root")."""
    return base if target == ROOT else base / target


def makemessages_options(target: str) -> dict:
    """makemessages' options for `target`, run in catalogue_folder(target): from the root, everything but
    templates/ is ignored (`manage.py makemessages -l en --ignore=portal --ignore=licensing …`)."""
    return {**MAKEMESSAGES, "ignore_patterns": list(ROOT_IGNORES) if target == ROOT else []}


@contextlib.contextmanager
def working_in(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


class Command(BaseCommand):
    help = gettext_lazy("更新英文翻译目录（各应用及根目录 templates/ 的 django.po），可同时编译为 .mo 文件。")

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="*", help=f"{', '.join(APPS)}, {ROOT} (default: all)")
        parser.add_argument("--compile", action="store_true", help="compilemessages afterwards")

    def handle(self, *args, targets, compile, **options):
        base = Path(settings.BASE_DIR)
        unknown = sorted(set(targets) - {*APPS, ROOT})
        if unknown:
            raise CommandError(_("没有这些翻译目录：%(names)s") % {"names": ", ".join(unknown)})
        quiet = {"verbosity": 0, "stdout": self.stdout, "stderr": self.stderr}
        for target in targets or (*APPS, ROOT):
            folder = catalogue_folder(target, base)
            # Without its own locale/ an app's strings would go to the first of LOCALE_PATHS, the root's.
            (folder / "locale").mkdir(exist_ok=True)
            with working_in(folder):
                call_command("makemessages", **makemessages_options(target), **quiet)
            self.stdout.write(f"{target}: {folder / 'locale/en/LC_MESSAGES/django.po'}")
        if compile:
            with working_in(base):
                call_command("compilemessages", locale=["en"], ignore_patterns=list(COMPILE_IGNORES), **quiet)
            self.stdout.write(_("已编译。"))
