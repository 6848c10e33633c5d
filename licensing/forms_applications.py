"""Forms of the application pages. They only validate what the browser sent; the services decide.

Every label and message is Chinese first and translatable (issue 15: English as a second language);
names kept in Chinese (materials, applicants, the 承诺书's confirmations) are marked so on English pages
(licensing.i18n.zh). A ServiceError is put back next to the field it names
(`form.service_error(exc)`).
"""
from django import forms
from django.db.models import Count, Prefetch, Q
from django.utils.translation import get_language, gettext, gettext_lazy as _, pgettext_lazy

from licensing.constants import (
    COMMITMENT_CONFIRMATIONS, DECIDER_ROLES, ApplicantKind, Channel, CommitmentKind, MaterialDue, MaterialStatus,
    ReformMode, ReviewOpinion,
)
from licensing.i18n import ChineseFastSelect, ChineseSelect, in_chinese, zh
from licensing.models import Item, ItemAuthority
from licensing.selectors import decider_options
from licensing.selectors.catalogue import CATALOGUE
from portal.widgets import FastSelect
from supervision.constants import CreditReason

REQUIRED = _("此项为必填项。")
TOO_LONG = _("最多输入 %(limit_value)d 个字符（当前 %(show_value)d 个）。")
BAD_DATE = _("请输入有效日期，格式如 2025-01-31。")
WANTS_COMMITMENT = "yes"
COMMITMENT_CHOICES = [(WANTS_COMMITMENT, _("愿意作出承诺（告知承诺）")), ("no", _("不愿承诺，按一般程序办理"))]


def _text(label, *, required=False, max_length=200, textarea=False, **kwargs):
    widget = forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget,
                           error_messages={"required": REQUIRED, "max_length": TOO_LONG}, **kwargs)


def _file(label, help_text=""):
    return forms.FileField(label=label, required=False, help_text=help_text,
                           error_messages={"invalid": _("文件无效，请重新选择。"), "empty": _("文件是空的，请重新选择。")})


class ServiceErrorMixin:
    """Put a service's message next to the field it concerns, or above the form."""

    aliases: dict = {}  # the service's field name -> this form's field name
    groups: tuple = ()  # service fields shown beside a group of inputs (the 7 confirmations, the files)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors = {}
        self.error_status = 400  # the HTTP status to answer with when the form comes back

    def service_error(self, exc):
        """Every message of the service's refusal next to its field, so all show at once."""
        self.error_status = exc.status
        for service_field, messages in exc.errors.items():
            field = self.aliases.get(service_field, service_field)
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                elif field in self.groups:
                    self.group_errors[field] = " ".join(filter(None, [self.group_errors.get(field), message]))
                else:
                    self.add_error(None, message)


class ApplicantRegisterForm(ServiceErrorMixin, forms.Form):
    """办理主体: an enterprise by 统一社会信用代码 or a person by 居民身份证号码."""

    kind = forms.ChoiceField(label=_("主体类型"), choices=ApplicantKind.choices, widget=forms.RadioSelect,
                             initial=ApplicantKind.ENTERPRISE,
                             error_messages={"required": _("请选择主体类型。"), "invalid_choice": _("请选择主体类型。")})
    # Room for spaces typed between groups of characters: the service normalises them away.
    identifier = _text(_("统一社会信用代码或居民身份证号码"), required=True, max_length=30,
                       help_text=_("18位，字母请用大写；系统会核对最后一位校验码。"))
    # Not required here: an applicant already known (one the business registry sent, issue 16) is claimed by its
    # code alone; the service asks for the name of a new one.
    name = _text(_("企业名称或个人姓名"), help_text=_("已在市场监管部门登记的企业可不填，平台使用登记信息。"))
    legal_representative = _text(_("法定代表人（负责人）"), max_length=64)
    address = _text(_("住所或经营场所"), max_length=255)
    phone = _text(_("联系电话"), max_length=32)

    def details(self) -> dict:
        data = self.cleaned_data
        return {k: data[k].strip() for k in ("legal_representative", "address", "phone") if data.get(k)}

    @classmethod
    def filled_from(cls, data, enterprise, **kwargs):
        """The form again, unbound: what was typed, and for an enterprise the registry told the portal about
        (licensing.selectors.registrations_account.registered_enterprise) its registered name, address and legal
        representative (可以通过信息共享获取的信息，一律不得再要求企业提供)."""
        initial = {name: str(data.get(name, ""))[:300] for name in cls.base_fields}
        if enterprise is not None:
            initial.update(kind=ApplicantKind.ENTERPRISE, identifier=enterprise.identifier, name=enterprise.name,
                           legal_representative=enterprise.legal_representative, address=enterprise.address)
        return cls(initial=initial, **kwargs)


def _material_fields(form, materials, help_for):
    """A file input per material; the service's messages about material 12 ("files.12") go beside its input."""
    form.aliases = dict(form.aliases)
    for material in materials:
        form.fields[f"material_{material.pk}"] = _file(zh(material.name), help_for(material))
        form.material_names.append(f"material_{material.pk}")
        form.aliases[f"files.{material.pk}"] = f"material_{material.pk}"


def _files(form) -> dict:
    return {int(name.split("_")[1]): form.cleaned_data[name] for name in form.material_names
            if form.cleaned_data.get(name)}


AUTHORITY_LABEL = _("审批机关")
CHOOSE_AUTHORITY = _("请选择本事项的审批机关。")
CHOOSE_HELP = _("本事项目录列有多个审批机关，请按申请的经营范围和所在地（管辖）选择其一。")


def _authority_field(form, item):
    """谁审批、谁负责: where the catalogue names alternative deciders (item 22's "或者") or an entrusted
    one (委托), the applicant chooses who decides; with one decider there is nothing to choose."""
    options = decider_options(item)
    if len(options) < 2:
        return
    # No option preselected: a form sent untouched must not file with the national ministry because it
    # happens to be listed first; the applicant names its authority (its business and its locality).
    form.fields["authority"] = forms.TypedChoiceField(
        label=AUTHORITY_LABEL, choices=[("", gettext("请选择审批机关"))] + [(o.key, o.label) for o in options], coerce=int,
        widget=ChineseSelect, help_text=zh(item.authority_note) or CHOOSE_HELP,
        error_messages={"required": CHOOSE_AUTHORITY, "invalid_choice": CHOOSE_AUTHORITY})


class ApplyForm(ServiceErrorMixin, forms.Form):
    """The online application (在线申请) for one item, by one of the account's applicants."""

    applicant = forms.ModelChoiceField(
        label=pgettext_lazy("apply form", "办理主体"), queryset=None, widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": _("请选择以哪个主体申请。"), "invalid_choice": _("请选择您可代为办理的主体。")})
    details = _text(_("申请事项说明"), textarea=True, max_length=2000,
                    help_text=_("如经营场所、经营范围、规模等，审批部门需要了解的情况。"))
    groups = ("files",)

    def __init__(self, *args, item, applicants, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.material_names = []
        self.fields["applicant"].queryset = applicants
        self.fields["applicant"].label_from_instance = lambda applicant: zh(str(applicant))
        _authority_field(self, item)
        if item.reform_mode == ReformMode.COMMITMENT:
            self.fields["wants_commitment"] = forms.ChoiceField(
                label=_("办理方式"), choices=COMMITMENT_CHOICES, widget=forms.RadioSelect, initial=WANTS_COMMITMENT,
                error_messages={"required": _("请选择是否作出承诺。"), "invalid_choice": _("请选择是否作出承诺。")})
        # Not those obtained by sharing: never asked of the applicant (issue 16).
        at_application = item.materials.filter(due=MaterialDue.AT_APPLICATION, shared_source="")
        _material_fields(self, at_application, lambda m: gettext("可现在上传，也可稍后在办件页面上传（PDF、JPG或PNG，10MB以内）。"))

    def material_fields(self):
        return [self[name] for name in self.material_names]

    def wants_commitment(self) -> bool:
        return self.cleaned_data.get("wants_commitment", WANTS_COMMITMENT) == WANTS_COMMITMENT

    def chosen_authority(self):
        """The chosen decider's key, or None (the item has one: the service takes it)."""
        return self.cleaned_data.get("authority")

    def uploads(self) -> dict:
        return _files(self)


class CommitForm(ServiceErrorMixin, forms.Form):
    """The 承诺书 (附件3 第二条（二）): the kind, the 7 confirmations, the signatory, the materials due now.

    Only the shape is checked here; services.application_commit checks every answer at once and the
    page shows all its messages together, each beside its field.
    """

    kind = forms.ChoiceField(label=_("承诺类型"), choices=CommitmentKind.choices, widget=forms.RadioSelect,
                             required=False, error_messages={"invalid_choice": _("请选择承诺类型。")})
    meet_by = forms.DateField(label=_("承诺具备许可条件的日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text=_("仅选择“承诺在约定期限内具备许可条件”时填写；具备条件并提交材料后方可开展经营。"),
                              error_messages={"invalid": BAD_DATE})
    signatory = _text(_("签署人（法定代表人、负责人或本人）"), max_length=64)
    groups = ("confirmations", "files")

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirmation_names = []
        for n, text in enumerate(COMMITMENT_CONFIRMATIONS, start=1):
            self.fields[f"confirm_{n}"] = forms.BooleanField(label=zh(text), required=False)  # the gazette's words
            self.confirmation_names.append(f"confirm_{n}")
        # issue 16: the legal representative the registry sent (or the window typed) signs unless another is named.
        self.fields["signatory"].initial = application.applicant.legal_representative
        self.material_names = []
        owed_now = (application.materials.filter(
            status=MaterialStatus.OWED, material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT])
            .select_related("material"))
        # 附件3 第四条: handed in with the commitment; the service names each one missing.
        _material_fields(self, [s.material for s in owed_now],
                         lambda m: gettext("%(due)s（PDF、JPG或PNG，10MB以内）") % {"due": m.get_due_display()})

    def confirmation_fields(self):
        return [self[name] for name in self.confirmation_names]

    def material_fields(self):
        return [self[name] for name in self.material_names]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"kind": data.get("kind") or "", "meet_by": data.get("meet_by"),
                "confirmations": [bool(data.get(name)) for name in self.confirmation_names],
                "signatory": data.get("signatory") or "", "files": _files(self)}


class MaterialUploadForm(ServiceErrorMixin, forms.Form):
    file = forms.FileField(label=_("选择文件"), error_messages={
        "required": _("请选择要上传的文件。"), "invalid": _("文件无效，请重新选择。"), "empty": _("文件是空的，请重新选择。")})
    aliases = {"files": "file"}


class ReasonForm(ServiceErrorMixin, forms.Form):
    """A transition that must say why (补正, 不予许可); the service checks it is not empty."""

    reason = _text(_("理由"), textarea=True, max_length=2000)


class RevokeForm(ServiceErrorMixin, forms.Form):
    """撤销许可 (附件3 第六、七条), optionally with a credit record (第九条)."""

    reason = _text(_("撤销理由"), textarea=True, max_length=2000)
    credit_reason = forms.ChoiceField(
        label=pgettext_lazy("revoke form", "记入诚信档案"), required=False, choices=[("", _("不记入诚信档案"))] + list(CreditReason.choices),
        error_messages={"invalid_choice": _("请选择记入诚信档案的事由。")})


def _date(label, *, help_text=""):
    return forms.DateField(label=label, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": REQUIRED, "invalid": BAD_DATE})


class ForwardForm(ServiceErrorMixin, forms.Form):
    """初审意见报送 (行政许可法 第三十五条): the first-review authority's opinion goes up with the file."""

    opinion = forms.ChoiceField(label=_("初审意见"), choices=ReviewOpinion.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("请选择初审意见（同意或不同意）。"),
                                                "invalid_choice": _("请选择初审意见（同意或不同意）。")})
    comments = _text(_("意见说明"), textarea=True, max_length=2000, help_text=_("不同意的，须说明理由。"))


class NoticeReceiptForm(ServiceErrorMixin, forms.Form):
    """附件3 第三条 "收到告知书后3个工作日内": by post, the receipt's date starts the applicant's clock."""

    received_on = _date(_("送达回证载明的送达日期"), help_text=_("申请人收到告知书之日；承诺书递交期限自该日起算3个工作日。"))


class NoteForm(ServiceErrorMixin, forms.Form):
    """A step whose note is optional (申报、确认具备经营许可条件)."""

    note = _text(_("说明（可不填）"), textarea=True, max_length=2000)


class CorrectFilingForm(ServiceErrorMixin, forms.Form):
    details = _text(_("改正后的备案信息"), required=True, textarea=True, max_length=4000,
                    help_text=_("按责令改正的内容，如实填写改正后的备案信息。"))


class FilingUntrueForm(ServiceErrorMixin, forms.Form):
    """钦政发〔2019〕20号 二（四）: a filing found untrue is ordered corrected; a false one is a credit record."""

    findings = _text(_("不实情况"), required=True, textarea=True, max_length=2000,
                     help_text=_("写明备案信息哪些内容与实际不符。"))
    correct_by = _date(_("改正期限"), help_text=_("备案人须在此日期前改正。"))
    false_filing = forms.BooleanField(label=_("备案信息虚假（记入诚信档案）"), required=False,
                                      help_text=_("不是差错而是虚假备案的勾选；同时记入备案人的诚信档案。"))


class WindowSearchForm(forms.Form):
    identifier = _text(_("统一社会信用代码或居民身份证号码"), required=True, max_length=30)
    identifier.widget.attrs.update({"placeholder": _("输入18位统一社会信用代码或居民身份证号码"), "autofocus": True})


class WindowBindForm(ServiceErrorMixin, forms.Form):
    """At the window, after seeing the licence and the authorisation: this account may act online for the applicant."""

    username = _text(_("网上办事账号（用户名）"), required=True, max_length=150)


def _item_option(item) -> str:
    """An item in the window's list: its name as printed, or on an English page its gloss (an option
    cannot mark a part of itself as Chinese; the application's page shows both)."""
    name = item.name if in_chinese() else (item.name_en or item.name)
    return gettext("%(seq_no)s. %(name)s（%(mode)s）") % {
        "seq_no": item.seq_no, "name": name, "mode": item.get_reform_mode_display()}


class WindowApplyForm(ServiceErrorMixin, forms.Form):
    """一窗受理: any item, for the applicant who is present."""

    item = forms.ModelChoiceField(
        label=_("申请事项"), queryset=Item.objects.order_by("seq_no", "code"), empty_label=_("请选择事项"),
        widget=FastSelect,  # a hundred items: options rendered in Python, not a template each (issue 13)
        error_messages={"required": _("请选择申请事项。"), "invalid_choice": _("请选择目录中的事项。")})
    channel = forms.ChoiceField(
        label=_("收件方式"), choices=[(Channel.WINDOW, _("申请人当面递交")), (Channel.MAIL, _("信函、传真或电子邮件寄来"))],
        widget=forms.RadioSelect, initial=Channel.WINDOW, required=False,
        help_text=_("当面递交的，告知承诺事项当场交付告知书；寄来的，审批部门在3个工作日内送达告知书（告知承诺指引第三条）。"),
        error_messages={"invalid_choice": _("请选择收件方式。")})

    def clean_channel(self):
        return self.cleaned_data.get("channel") or Channel.WINDOW
    details = _text(_("申请事项说明"), textarea=True, max_length=2000)
    wants_commitment = forms.ChoiceField(
        label=_("实行告知承诺的事项"), choices=COMMITMENT_CHOICES, widget=forms.RadioSelect, initial=WANTS_COMMITMENT,
        help_text=_("仅对实行告知承诺的事项有效；其他事项按其改革方式办理。"),
        error_messages={"required": _("请选择是否作出承诺。"), "invalid_choice": _("请选择是否作出承诺。")})
    authority = forms.ChoiceField(
        label=AUTHORITY_LABEL, required=False, widget=ChineseFastSelect,
        help_text=_("目录列有多个审批机关（择一审批或委托办理）的事项必须选择；其他事项不选。"),
        error_messages={"invalid_choice": CHOOSE_AUTHORITY})
    # What goes wrong at the window is about the chosen item (e.g. its notice content is incomplete).
    aliases = {None: "item", "channel": "item"}
    field_order = ["item", "authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].label_from_instance = _item_option
        # The whole catalogue's lists are the same for every clerk: kept in the shared cache under the
        # catalogue's version (renewed on every edit and import), per language (issue 13).
        self._offer(*CATALOGUE.read_or_make(("window-choices", get_language()),
                                            lambda: self._choices(self.fields["item"].queryset)))

    def narrow(self, items):
        """Offer the items in `items`, and the deciders of those among them that name more than one."""
        self.fields["item"].queryset = items
        self._offer(*self._choices(items))

    def _offer(self, items: list, authorities: list) -> None:
        # Set as choices, the lists are rendered as they are; the chosen item is still looked up in
        # the field's queryset, so a choice outside it is refused.
        self.fields["item"].choices = items
        self.fields["authority"].choices = authorities

    def _choices(self, items) -> tuple[list, list]:
        """The item list for `items` (value, label) and the deciders' groups of those that name more than one."""
        empty = self.fields["item"].empty_label
        item_choices = ([("", str(empty))] if empty is not None else []) + [
            (item.pk, _item_option(item)) for item in items]
        groups = []
        deciders = Count("authorities", filter=Q(authorities__role__in=DECIDER_ROLES))
        # A fresh queryset: the annotation must count every decider, not only those a search matched.
        # Each item's authorities in one query for all (decider_options reads `_authority_rows`), not one each.
        rows = Prefetch("authorities", ItemAuthority.objects.select_related("organisation", "entrusted_by")
                        .order_by("order", "id"), to_attr="_authority_rows")
        for item in Item.objects.filter(pk__in=items.values("pk")).annotate(deciders=deciders).filter(
                deciders__gt=1).order_by("seq_no", "code").prefetch_related(rows):
            options = decider_options(item)
            if len(options) > 1:  # "code:key": an option names its item, so a choice cannot slip to another
                groups.append((f"{item.seq_no}. {item.name}", [(f"{item.code}:{o.key}", o.label) for o in options]))
        return item_choices, [("", gettext("（仅一个审批机关的事项不选）"))] + groups

    def clean(self):
        data = super().clean()
        code, _colon, key = (data.get("authority") or "").partition(":")
        item = data.get("item")
        if code and item is not None and code != item.code:
            self.add_error("authority", gettext("所选审批机关不是该事项的，请重新选择。"))
        if not code and item is not None and len(decider_options(item)) > 1:
            self.add_error("authority", CHOOSE_AUTHORITY)
        data["authority"] = int(key) if key else None
        return data

    def wants_commitment_value(self) -> bool:
        return self.cleaned_data.get("wants_commitment") == WANTS_COMMITMENT


class ProgressForm(forms.Form):
    """公开办理进度: the number and the query code given to the applicant."""

    # Room for the spaces people type between groups: the lookup ignores them (selectors.progress).
    number = _text(_("办件编号"), required=True, max_length=30, help_text=_("如 QZ2025-000123"))
    code = _text(_("查询码"), required=True, max_length=16, help_text=_("8位字母或数字，在申请人的办件页面上显示"))


class DisclosureSearchForm(forms.Form):
    q = _text(_("事项名称或序号"), max_length=100)
