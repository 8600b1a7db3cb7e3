"""The upload form of "Nhập từ văn bản", and the structured editor filled from an import."""
from flask_wtf.file import FileField
from wtforms import Field, HiddenField
from wtforms.widgets import TextArea

from app import doc_types
from app.directives.forms import DirectiveForm
from app.forms import Form
from app.importer.readers import MAX_TEXT_CHARS
from app.numbers import number as vn_number


class RawTextAreaField(Field):
    """Pasted text kept as it is (tabs and line breaks matter to the parser)."""

    widget = TextArea()

    def _value(self):
        return self.data or ""

    def process_formdata(self, valuelist):
        self.data = (valuelist[0] if valuelist else "") or ""


class ImportForm(Form):
    step = HiddenField(default="doc")
    file = FileField("Tệp văn bản (.txt, .md, .docx hoặc .pdf có lớp chữ)")
    text = RawTextAreaField("Hoặc dán nội dung văn bản",
                            render_kw={"rows": 14, "placeholder": "ỦY BAN NHÂN DÂN\nTỈNH ...\n\nSố: .../UBND-...\n..."})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        if not has_file and not (self.text.data or "").strip():
            self.text.errors = list(self.text.errors) + ["Chọn một tệp hoặc dán nội dung văn bản."]
            return False
        if len(self.text.data or "") > MAX_TEXT_CHARS:
            self.text.errors = list(self.text.errors) + [f"Tối đa {vn_number(MAX_TEXT_CHARS)} ký tự."]
            return False
        return ok


def _target_value(target) -> str:
    from app.models import AgencyGroup

    return f"g:{target.id}" if isinstance(target, AgencyGroup) else f"a:{target.id}"


def form_data(result) -> dict:
    """The imported directive as the data of DirectiveForm (same shape as a saved directive's)."""
    data = result.data
    sections = []
    for s_index, section in enumerate(data["sections"]):
        assignees = []
        for a_index, assignee in enumerate(section["assignees"]):
            target = result.targets.get((s_index, a_index))
            assignees.append({"target": _target_value(target) if target is not None else "",
                              "role": assignee["role"], "deadline": assignee.get("deadline")})
        sections.append({
            "number": section["number"],
            "heading": section["heading"],
            "assignees": assignees,
            "tasks": [{"text": task["text"], "deadline": task.get("deadline")} for task in section["tasks"]] or [{}],
        })
    signer = data["signer"]
    return {
        "version": "",
        "doc_type": data["doc_type"],
        "issuer_agency_id": str(result.issuer.id) if result.issuer is not None else "",
        "symbol": data["symbol"],
        "place": data["place"],
        "subject": data["subject"],
        "urgency": data["urgency"] or "",
        "recipients": [{"text": name} for name in data["recipients"]] or [{}],
        "preamble": data["preamble"],
        "sections": sections or [{}],
        "closing": data["closing"],
        "cc": [{"text": line} for line in data["cc"]] or [{}],
        "signer_authority": signer["authority"] or "",
        "signer_authority_title": signer["authority_title"],
        "signer_title": signer["title"],
        "signer_name": signer["name"],
    }


def editor_form(result) -> DirectiveForm:
    """DirectiveForm filled from the import, with what was not recognised marked as errors."""
    form = DirectiveForm(formdata=None, data=form_data(result))
    from app.directives.views import _form_choices

    _form_choices(form)
    data = result.data
    if result.issuer is None:
        form.issuer_agency_id.errors = ["Chưa xác định được cơ quan ban hành: chọn trong danh sách."]
    if not data["subject"]:
        form.subject.errors = ["Không thấy trích yếu trong văn bản: nhập trích yếu."]
    if not data["recipients"] and doc_types.get(data["doc_type"]).takes_recipients:
        form.recipients.errors = ["Không thấy “Kính gửi” trong văn bản."]
    if not data["signer"]["title"]:
        form.signer_title.errors = ["Không thấy khối chữ ký trong văn bản."]
    for s_index, section in enumerate(data["sections"]):
        if s_index >= len(form.sections.entries):
            break
        entry = form.sections.entries[s_index].form
        for a_index, assignee in enumerate(section["assignees"]):
            if (s_index, a_index) not in result.targets and a_index < len(entry.assignees.entries):
                entry.assignees.entries[a_index].form.target.errors = [
                    f"Chưa tìm thấy “{assignee['agency']}” trong danh mục: chọn đơn vị tương ứng "
                    "hoặc tạo cơ quan mới."]
    return form
