"""The development corpus (../shared/corpus/real) as letters: ground-truth annotations turned into
the directive format, an application with the agency directory to import into, and the scorer of
../shared/tools/score_import.py. Shared by bench/ocr_accuracy.py and bench/corpus_lint.py."""
import copy
import importlib.util
import os
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SCORER = ROOT.parent / "shared" / "tools" / "score_import.py"
TYPES = {"công văn": "cong_van", "chỉ thị": "chi_thi", "công điện": "cong_dien", "thông báo": "thong_bao",
         "kế hoạch": "ke_hoach", "quyết định": "quyet_dinh", "báo cáo": "bao_cao", "tờ trình": "to_trinh"}
# Printed where the annotation has nothing (the page lost it): the letter needs it to print.
PLACEHOLDER_ISSUER = ["ỦY BAN NHÂN DÂN", "TỈNH KON TUM"]
PLACEHOLDER_SUBJECT = "triển khai thực hiện nhiệm vụ"
PLACEHOLDER_TITLE = "PHÓ CHỦ TỊCH"


def scorer():
    """score_import.py's own functions (score, norm, f1), imported from the shared tools."""
    spec = importlib.util.spec_from_file_location("score_import", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def application():
    """The app on an in-memory SQLite database holding the agency directory of directives/."""
    os.environ.setdefault("SECRET_KEY", "bench-only")
    from app import create_app
    from app.extensions import db
    from app.loader import load_agency_directory

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}, "TESTING": True})
    with app.app_context():
        db.create_all()
        load_agency_directory(ROOT / "directives" / "_agencies.yaml")
        db.session.commit()
    return app


def annotation_to_letter(gt: dict) -> tuple[dict, dict, list[str]]:
    """(directive data to print, the annotation as printed, what had to be filled in)."""
    from app.directive_format import parse_directive

    printed = copy.deepcopy(gt)
    filled = []
    if not gt.get("issuer"):
        printed["issuer"] = PLACEHOLDER_ISSUER
        filled.append("issuer")
    if not gt.get("subject"):
        printed["subject"] = PLACEHOLDER_SUBJECT
        filled.append("subject")
    signer = dict(gt.get("signer") or {})
    title = signer.get("title")
    if signer.get("sub_authority"):
        title = f"{signer['sub_authority']} {signer.get('sub_authority_title') or ''}".strip() + "\n" + (title or "")
    authority = signer.get("authority")
    if authority and not authority.endswith("."):
        authority += "."  # "KT GIÁM ĐỐC": the letter prints the notation as ND30 writes it
    if not (title or "").strip() and not (authority in (None, "Q.") and signer.get("authority_title")):
        title = PLACEHOLDER_TITLE
        filled.append("signer.title")
        printed["signer"] = dict(signer, title=title)
    doc_type = TYPES.get(gt.get("doc_type"), "cong_van")
    cc = list(gt.get("noi_nhan") or [])
    if not cc and doc_type not in ("cong_van", "bao_cao", "to_trinh", "cong_dien"):
        cc = ["Lưu: VT"]
        filled.append("noi_nhan")
        printed["noi_nhan"] = cc
    sections = []
    for section in gt.get("sections") or []:
        lead = section.get("lead")
        agencies = [a for a in section.get("agencies") or [] if a != lead]
        assignees = ([{"agency": lead, "role": "lead"}] if lead else []) + \
            [{"agency": a, "role": "lead"} for a in agencies] + \
            [{"agency": c, "role": "coordinating"} for c in section.get("coordinating") or []]
        tasks = [{"text": t if isinstance(t, str) else t.get("text", "")} for t in section.get("tasks") or []]
        if tasks:
            sections.append({"number": section.get("number"), "heading": section.get("heading"),
                             "assignees": assignees, "tasks": tasks})
    when = date.fromisoformat(gt["date"]) if gt.get("date") and gt.get("number") else None
    data = parse_directive({
        "doc_type": doc_type, "issuer": printed["issuer"], "number": gt.get("number") if when else None,
        "symbol": gt.get("symbol") or "", "place": gt.get("place") or "", "date": when,
        "subject": printed["subject"], "urgency": None, "recipients": list(gt.get("recipients") or []),
        "preamble": None, "sections": sections, "closing": gt.get("closing"), "cc": cc,
        "signer": {"authority": authority, "authority_title": signer.get("authority_title") or "",
                   "title": title or "", "name": signer.get("name")},
    })
    if not when:
        printed["number"], printed["date"] = None, None
    return data, printed, filled


def documents():
    import json

    for path in sorted(CORPUS.glob("*.json")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8")), path.with_suffix(".txt")
