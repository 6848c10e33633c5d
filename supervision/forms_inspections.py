"""The forms of the 核查工作台 (issue 10). They check only the shape of what was sent (a known
choice, no NUL byte, a length); the services (supervision.inspections) decide the rest, and
`service_error` puts their messages beside the fields, all at once.
"""
from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from supervision.constants import RESULT_MOVES, FailureGround, InspectionOutcome
from supervision.i18n import lang_attr

REQUIRED = _("此项为必填项。")
TOO_LONG = _("最多输入 %(limit_value)d 个字符（当前 %(show_value)d 个）。")
NUL = _("内容不能包含空字符（NUL）。")
NOTE_LENGTH = 4000


class ChineseOptionsMixin:
    """A select whose options may be named in Chinese (organisations, people): each such option is marked
    lang="zh-Hans" on an English page (an <option> cannot hold a marked part)."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if lang_attr(option["label"]):
            option["attrs"]["lang"] = "zh-Hans"
        return option


class ChineseOptionsSelect(ChineseOptionsMixin, forms.Select):
    pass


class ChineseOptionsSelectMultiple(ChineseOptionsMixin, forms.SelectMultiple):
    pass


class ServiceErrorForm(forms.Form):
    """A form whose service refusal comes back beside its fields, with the service's status."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_status = 400

    def service_error(self, exc):
        self.error_status = exc.status
        for field, messages in exc.errors.items():
            name = (field or "").split(".", 1)[0]  # "files.3" is the files field
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class AssignForm(ServiceErrorForm):
    """Whom the check is assigned to: inspectors of the regulator's own organisation (两名以上)."""

    inspectors = forms.MultipleChoiceField(
        label=_("核查人员"), required=False, widget=ChineseOptionsSelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl（Mac 为 ⌘）可多选；现场核查须由2名以上执法人员进行。"),
        error_messages={"invalid_choice": _("“%(value)s”不是本部门在岗的监管人员。"),
                        "invalid_list": _("请从列表中选择核查人员。")})

    def __init__(self, *args, inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].choices = [(u.username, person_choice(u)) for u in inspectors]


def person_choice(user) -> str:
    """How a select names a person: 张三（zhangsan）."""
    return gettext("%(name)s（%(username)s）") % {"name": user, "username": user.username}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several on-site files in one field; each is judged by its content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class OutcomeField(forms.ChoiceField):
    """Shows the outcomes open now, but takes any known outcome: one that the inspection's state
    does not allow is the service's to refuse (409, wrong state), not the form's (400)."""

    def valid_value(self, value):
        return value in InspectionOutcome.values


def outcome_choices(status) -> list:
    """The outcomes that may be recorded from `status` (RESULT_MOVES), in the table's order."""
    return [(o.value, o.label) for o, (sources, _) in RESULT_MOVES.items() if status in sources]


class ResultForm(ServiceErrorForm):
    """What the check found: the outcome, why a failure, the rectification deadline, the findings, files."""

    outcome = OutcomeField(
        label=_("核查结果"), widget=forms.RadioSelect, choices=InspectionOutcome.choices,
        error_messages={"required": _("请选择核查结果。"), "invalid_choice": _("请从列出的核查结果中选择。")})
    ground = forms.ChoiceField(
        label=_("提请撤销的理由类别"), required=False, choices=[("", _("—— 请选择 ——")), *FailureGround.choices],
        help_text=_("仅“不符合，提请撤销许可”时填写；不选则按“承诺内容不实”。"),
        error_messages={"invalid_choice": _("请从列出的理由类别中选择。")})
    rectify_within_days = forms.CharField(
        label=_("整改期限（工作日）"), required=False, max_length=8,
        widget=forms.NumberInput(attrs={"min": 1, "max": 60, "step": 1}),
        help_text=_("仅“责令限期整改”时填写，1至60个工作日；期满后方可复查。"),
        error_messages={"max_length": TOO_LONG, "null_characters_not_allowed": NUL})
    note = forms.CharField(
        label=_("核查情况"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明核查的时间、地点、方式和发现的情况。"),
        error_messages={"max_length": TOO_LONG, "null_characters_not_allowed": NUL})
    files = MultipleFileField(
        label=_("现场照片和材料"), required=False,
        help_text=_("PDF、JPG 或 PNG，每个不超过10MB，一次最多20个；按文件内容识别类型。"),
        error_messages={"empty": _("上传的文件是空的。"), "invalid": _("请上传文件。"), "missing": _("请上传文件。")})
