"""The directive format: every file in directives/ reads; bad files get errors naming the key."""
import unicodedata
from pathlib import Path

import pytest

from app.directive_format import FormatError, parse_directive, read_directive_file

DIRECTIVES = sorted(Path(__file__).resolve().parent.parent.joinpath("directives").glob("[0-9]*.yaml"))


def minimal(**overrides):
    data = {
        "doc_type": "cong_van", "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH KON TUM"], "symbol": "UBND-KGVX",
        "subject": "tăng cường", "recipients": ["Sở Y tế"],
        "sections": [{"number": "1", "tasks": [{"text": "Làm việc A."}]}],
        "signer": {"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "A"},
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("path", DIRECTIVES, ids=lambda p: p.stem)
def test_every_directive_file_reads(path):
    data = read_directive_file(path)
    assert data["subject"] and data["issuer"] and data["sections"]
    assert all(section["tasks"] for section in data["sections"])


def test_five_seed_files_are_present():
    assert len(DIRECTIVES) == 5


def test_text_is_composed_and_trimmed():
    data = parse_directive(minimal(subject=unicodedata.normalize("NFD", "  tiếp tục   triển khai  ")))
    assert data["subject"] == "tiếp tục triển khai"
    assert unicodedata.is_normalized("NFC", data["subject"])


def test_plain_strings_are_accepted_for_tasks_and_assignees():
    data = parse_directive(minimal(sections=[{"assignees": ["Sở Y tế"], "tasks": ["Làm A.", "Làm B."]}]))
    section = data["sections"][0]
    assert section["assignees"] == [{"agency": "Sở Y tế", "role": "lead", "deadline": None}]
    assert [t["text"] for t in section["tasks"]] == ["Làm A.", "Làm B."]


def test_errors_name_each_wrong_key():
    raw = minimal(doc_type="thu_tay", urgency="gấp", colour="đỏ",
                  sections=[{"tasks": [{"text": ""}], "assignees": [{"agency": "Sở Y tế", "role": "boss"}]}],
                  signer={"authority": "XX."})
    with pytest.raises(FormatError) as caught:
        parse_directive(raw)
    text = "; ".join(caught.value.errors)
    for expected in ("doc_type", "urgency", "colour", "sections[0].tasks[0].text",
                     "sections[0].assignees[0].role", "signer.authority"):
        assert expected in text


def test_dates_must_be_iso_in_files():
    with pytest.raises(FormatError, match="sections\\[0\\].tasks\\[0\\].deadline"):
        parse_directive(minimal(sections=[{"tasks": [{"text": "A", "deadline": "15/12/2025"}]}]))
    data = parse_directive(minimal(date="2025-12-15"))
    assert data["date"].isoformat() == "2025-12-15"


def test_not_a_mapping_is_refused():
    with pytest.raises(FormatError, match="bảng khóa"):
        parse_directive(["a", "b"])


def test_invalid_yaml_reports_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("doc_type: cong_van\nsubject: [không đóng\nplace: Kon Tum\n", encoding="utf-8")
    with pytest.raises(FormatError, match="dòng 3"):
        read_directive_file(path)


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("subject: Ủy ban".encode("utf-16"))
    with pytest.raises(FormatError, match="UTF-8"):
        read_directive_file(path)
