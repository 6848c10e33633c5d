"""Handing in materials; their content is checked, not their name, and every hand-in is an event.

Every file ever handed in is a MaterialFile row: a replacement keeps the earlier file (marked
replaced), and the officer reads the current one. Once a material is relied on (the decision,
the 承诺书, the officer's 受理: selectors.material_frozen_reason) its file is frozen.
"""
import datetime as dt
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from licensing.constants import OPEN, STOPPED, Action, MaterialStatus, SharedSource
from licensing.i18n import in_source_language
from licensing.models import Application, MaterialFile, MaterialSubmission
from licensing.selectors.actions import material_frozen_reason
from licensing.selectors.deadlines import is_overdue
from licensing.services._core import _event, _today
from portal.uploads import STORED_UNDER, check_upload, display_name, removed_on_error, store
from portal.exceptions import Conflict, InvalidInput, Problems

logger = logging.getLogger(__name__)

NO_SUCH_MATERIAL = gettext_lazy("该事项没有这项材料。")


# --- the rows an application owes, or has by sharing (issue 16) ---------------------------------

def material_submissions_open(*, application) -> list[MaterialSubmission]:
    """One row per material of the item: owed by the applicant, or obtained by sharing.

    "可以通过信息共享获取的信息，一律不得再要求企业提供" (issue 16; 附件2's measures: 在线获取核验营业执照
    等材料): a material with a shared source is never owed (so never overdue, never asked for by a form
    or a decision); its row records where the data came from and when. Called inside application_submit's
    transaction, whose SUBMIT event covers it.
    """
    now = timezone.now()
    return MaterialSubmission.objects.bulk_create(
        _opened(application, material, now) for material in application.item.materials.all())


def _opened(application, material, now) -> MaterialSubmission:
    if not material.shared_source:
        return MaterialSubmission(application=application, material=material)
    with in_source_language():  # a record of where the data came from: in the portal's language, Chinese
        source = str(dict(SharedSource.choices).get(material.shared_source, material.shared_source))
    return MaterialSubmission(application=application, material=material, status=MaterialStatus.SHARED,
                              obtained_from=source, obtained_at=now)


def shared_refusal(name: str, source: str) -> str:
    """What an upload of a material obtained by sharing is told (issue 16)."""
    return _("材料“%(material)s”已通过信息共享获取（%(source)s），无需提交，不能上传。") % {
        "material": name, "source": source}


def _material_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_uploads(files: dict, *, known: set, shared: dict | None = None) -> dict:
    """{material id: upload} with every id (one of `known`) and every file checked, all problems at once.

    Called before anything is written, so a refusal leaves no file behind (a rolled-back row
    would not take its file on disk with it). `shared` ({material id: (name, source)}) are materials
    obtained by sharing: a file for one is refused by name (issue 16).
    """
    problems = Problems()
    checked = {}
    shared = shared or {}
    for key, upload in files.items():
        material_id = _material_id(key)
        if material_id in shared:
            problems.add(f"files.{material_id}", shared_refusal(*shared[material_id]))
            continue
        if material_id not in known:
            problems.add("files", NO_SUCH_MATERIAL)
            continue
        problems.check(f"files.{material_id}", lambda: check_upload(upload))
        checked[material_id] = upload
    problems.raise_if_any()
    return checked


@transaction.atomic
@removed_on_error()
def material_submit(*, application, material_id, upload, actor) -> MaterialSubmission:
    """Hand in one owed material, or replace one handed in while it may be replaced; an event names who.

    Frozen (409) once relied on (selectors.material_frozen_reason): after the decision no file is
    replaced, and a material owed after the decision is handed in once, by its date, and frozen at
    once. A replacement keeps the earlier file as history. If this or a later step of the calling
    service fails, the file written here is deleted again (uploads.removed_on_error).
    """
    # The material's row, then the application's (the order the overdue job locks them in): an
    # acceptance or decision taken at the same moment either sees this file or is seen by this check.
    submission = _locked_submission(application, material_id)
    current = Application.objects.select_for_update().get(pk=application.pk)
    _check_may_hand_in(current, submission)
    content_type = check_upload(upload)
    replacing = submission.status == MaterialStatus.SUBMITTED
    now = timezone.now()
    MaterialFile.objects.filter(submission=submission, replaced_at__isnull=True).update(replaced_at=now)
    _store_file(submission, upload, content_type, actor, now)
    submission.status = MaterialStatus.SUBMITTED
    submission.submitted_at = now
    submission.submitted_by = actor
    submission.save(update_fields=["status", "submitted_at", "submitted_by"])
    _event(current, Action.REPLACE_MATERIAL if replacing else Action.SUBMIT_MATERIAL, current.status, actor,
           submission.material.name)
    return submission


def _locked_submission(application, material_id) -> MaterialSubmission:
    try:
        return (MaterialSubmission.objects.select_for_update().select_related("material")
                .get(application=application, material_id=material_id))
    except (MaterialSubmission.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(NO_SUCH_MATERIAL, field="files")


def _check_may_hand_in(application, submission):
    if submission.status == MaterialStatus.SHARED:  # issue 16: never asked of the applicant
        raise Conflict(shared_refusal(submission.material.name, submission.obtained_from))
    frozen = material_frozen_reason(application, submission)
    if frozen:
        raise Conflict(frozen)
    # Late is late whether or not the hourly job has run yet (附件3 第六条): otherwise a material
    # handed in after its date but before the job would save the decision.
    if submission.status == MaterialStatus.OVERDUE or is_overdue(submission.due_date, _today()):
        raise Conflict(_("材料“%(material)s”已逾期，不能再提交。") % {"material": submission.material.name})
    if application.status in STOPPED:
        raise Conflict(_("办件已终止，不能再提交材料。"))
    if application.status not in OPEN:
        raise Conflict(_("办件已办结，不能再提交材料。"))


def _store_file(submission, upload, content_type, actor, now) -> MaterialFile:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    return MaterialFile.objects.create(
        submission=submission, file=store(upload, content_type), content_type=content_type,
        display_name=display_name(upload.name), size=upload.size, sha256=digest.hexdigest(),
        uploaded_at=now, uploaded_by=actor)


# --- files no row names ----------------------------------------------------------------------

def material_files_remove_orphans(*, grace=None) -> list[str]:
    """Delete files under media/materials that no MaterialFile names and that are older than the
    grace period (settings.MATERIAL_ORPHAN_GRACE_HOURS, default a day).

    What a rolled-back transaction left behind (a crash between writing the file and the commit,
    a rollback further out with no exception through the service): the grace period keeps the
    file of a transaction still running. Idempotent: a second run finds nothing. Returns the names.

    At a city's scale (issue 13): each folder's names are checked against the rows a thousand at a
    time, in one query, and only a name no row holds is asked its age (a request each on an object
    store). A month's folder (materials/YYYY/MM, where portal.uploads.store writes) that ended before
    the grace period and kept no young file is done for good: the shared cache remembers the months
    done in a row from the first (ORPHANS_CHECKED_KEY), and later runs do not list them again.
    """
    grace = grace if grace is not None else dt.timedelta(hours=settings.MATERIAL_ORPHAN_GRACE_HOURS)
    cutoff = timezone.now() - grace
    checked_through = cache.get(ORPHANS_CHECKED_KEY) or ""
    removed, in_a_row = [], True
    for folder, names in _folders(STORED_UNDER):
        month = _month_of(folder)
        if month is not None and month <= checked_through:
            continue
        young = False
        for start in range(0, len(names), ORPHAN_BATCH):
            batch = names[start:start + ORPHAN_BATCH]
            named = set(MaterialFile.objects.filter(file__in=batch).values_list("file", flat=True))
            for name in batch:
                if name in named:
                    continue
                if default_storage.get_modified_time(name) >= cutoff:
                    young = True
                    continue
                default_storage.delete(name)
                removed.append(name)
        finished = month is not None and not young and _month_end(month) < cutoff
        if in_a_row and finished:
            checked_through = month
        in_a_row = in_a_row and (finished or month is None)
    cache.set(ORPHANS_CHECKED_KEY, checked_through, timeout=None)
    if removed:
        logger.info("removed %d material files no row names", len(removed))
    return removed


ORPHAN_BATCH = 1000
ORPHANS_CHECKED_KEY = "licensing.material_orphans.checked_through"  # "YYYY/MM"
_MONTH = re.compile(r"(\d{4})/(\d{2})")


def _month_of(folder: str) -> str | None:
    """"YYYY/MM" for a month's folder (materials/2024/10), None for any other."""
    match = _MONTH.fullmatch(folder.removeprefix(f"{STORED_UNDER}/"))
    return match.group(0) if match else None


def _month_end(month: str):
    year, number = (int(part) for part in month.split("/"))
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time.min))


def _folders(folder):
    """(folder, its file names) for `folder` and every folder under it, months in order."""
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    if files:
        yield folder, [f"{folder}/{name}" for name in sorted(files)]
    for sub in sorted(folders):
        yield from _folders(f"{folder}/{sub}")
