"""Import accuracy: field-level agreement of the importer with the hand-checked fixtures, and time.

Run from the repository root:

    .venv/bin/python bench/import_accuracy.py [--rounds 5] [--no-round-trip]

Every fixture of tests/fixtures/import/ (the five seeds and the other shapes) is imported and
compared field by field with its expected structure:

    header      doc_type, issuer, number, symbol, place, date, subject, urgency (8 per document)
    recipients  Kính gửi lines, position by position
    text        preamble and closing
    sections    number and heading of each section
    tasks       text and deadline of each task (and the deadline words / recurrence note)
    assignees   (agency as written, role) of each section, as a set
    lead        the set of lead agencies of each section
    nơi nhận    Nơi nhận lines, position by position
    signer      authority, authority title, title, name
    resolution  the directory agency of each assignee, and the issuing agency (in-memory database
                loaded with directives/_agencies.yaml)

"round trip" imports each fixture, renders it with the letter renderer (DOCX), imports the DOCX
again and counts the fields that came back unchanged. Times are per document, median of --rounds.

"variants" measures the same fields on inputs the fixtures were not checked against: the text
hard-wrapped at 70 characters with a blank line after every line (a PDF text extraction), NFD with
CRLF line ends and tabs, the text in the old VNI and TCVN3 encodings (TCVN3 compared without case:
its capitals with tones were a font effect), and the letter rendered to PDF and read back.
Nothing is written anywhere; the exit status is 0 unless the script itself crashes.
"""
import argparse
import os
import statistics
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import yaml  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "import"
HEADER = ("doc_type", "issuer", "number", "symbol", "place", "date", "subject", "urgency")
CATEGORIES = ("header", "recipients", "text", "sections", "tasks", "assignees", "lead", "nơi nhận", "signer")


class Score:
    def __init__(self):
        self.right = {name: 0 for name in CATEGORIES + ("resolution",)}
        self.total = {name: 0 for name in CATEGORIES + ("resolution",)}

    def add(self, name, right, total):
        self.right[name] += right
        self.total[name] += total

    def merge(self, other):
        for name in self.right:
            self.add(name, other.right[name], other.total[name])

    def fraction(self, names=None):
        names = names or CATEGORIES
        total = sum(self.total[n] for n in names)
        return sum(self.right[n] for n in names) / total if total else 1.0


def positional(got: list, want: list) -> tuple[int, int]:
    return sum(1 for a, b in zip(got, want) if a == b), max(len(got), len(want))


def compare(got: dict, want: dict) -> Score:
    score = Score()
    score.add("header", sum(1 for key in HEADER if got[key] == want[key]), len(HEADER))
    score.add("recipients", *positional(got["recipients"], want["recipients"]))
    score.add("text", sum(1 for key in ("preamble", "closing") if got[key] == want[key]), 2)
    score.add("nơi nhận", *positional(got["cc"], want["cc"]))
    score.add("signer", sum(1 for key in ("authority", "authority_title", "title", "name")
                            if got["signer"][key] == want["signer"][key]), 4)
    sections = max(len(got["sections"]), len(want["sections"]))
    score.add("sections", sum(1 for a, b in zip(got["sections"], want["sections"])
                              if (a["number"], a["heading"]) == (b["number"], b["heading"])), sections)
    for index in range(sections):
        a = got["sections"][index] if index < len(got["sections"]) else {"assignees": [], "tasks": []}
        b = want["sections"][index] if index < len(want["sections"]) else {"assignees": [], "tasks": []}
        tasks = [(t["text"], t.get("deadline"), t.get("deadline_text"), t.get("recurrence")) for t in a["tasks"]]
        wanted = [(t["text"], t.get("deadline"), t.get("deadline_text"), t.get("recurrence")) for t in b["tasks"]]
        score.add("tasks", *positional(tasks, wanted))
        pairs = {(x["agency"], x["role"]) for x in a["assignees"]}
        wanted_pairs = {(x["agency"], x["role"]) for x in b["assignees"]}
        score.add("assignees", len(pairs & wanted_pairs), max(len(pairs | wanted_pairs), 1) if (pairs or wanted_pairs) else 0)
        leads = {x["agency"] for x in a["assignees"] if x["role"] == "lead"}
        score.add("lead", int(leads == {x["agency"] for x in b["assignees"] if x["role"] == "lead"}), 1)
    return score


def resolution_score(result, fixture) -> Score:
    score = Score()
    score.add("resolution", int((result.issuer.name if result.issuer else None) == fixture.get("issuer_agency")), 1)
    for section, wanted in zip(result.data["sections"], fixture["directive"]["sections"]):
        for a, b in zip(section["assignees"], wanted["assignees"]):
            score.add("resolution", int(a.get("resolved") == b.get("resolved")), 1)
        extra = abs(len(section["assignees"]) - len(wanted["assignees"]))
        score.add("resolution", 0, extra)
    return score


def hard_wrapped(text: str, width=70) -> str:
    import textwrap

    out = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|") or len(line) <= width:
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False))
    return "\n\n".join(out)


def lowered(data: dict) -> dict:
    """Every string in lower case (TCVN3 loses the case of capitals with tones)."""
    if isinstance(data, dict):
        return {k: lowered(v) for k, v in data.items()}
    if isinstance(data, list):
        return [lowered(v) for v in data]
    return data.lower().replace("’", "'") if isinstance(data, str) else data


def timed(function, rounds):
    values, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        values.append(time.perf_counter() - start)
    return result, statistics.median(values) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-round-trip", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "bench-only")
    from app import create_app
    from app.documents import render
    from app.extensions import db
    from app.importer.parser import parse_text
    from app.importer.readers import decode_text, read_document
    from app.importer.service import import_document, pure_directive
    from app.loader import load_agency_directory

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}, "TESTING": True})
    from app.importer import legacy

    total, round_trip = Score(), Score()
    variants = {name: Score() for name in ("hard-wrapped", "nfd-crlf-tabs", "vni", "tcvn3", "pdf")}
    rows = []
    with app.app_context():
        db.create_all()
        load_agency_directory(ROOT / "directives" / "_agencies.yaml")
        db.session.commit()
        for path in sorted(FIXTURES.glob("*.yaml")):
            fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
            content = (path.parent / fixture["source"]).read_bytes()
            parsed, parse_ms = timed(lambda: parse_text(decode_text(content)[0]), args.rounds)
            result, import_ms = timed(lambda: import_document(content=content, filename=fixture["source"]),
                                      args.rounds)
            db.session.rollback()
            score = compare(parsed.data, fixture["directive"])
            score.merge(resolution_score(result, fixture))
            total.merge(score)
            row = [path.stem, f"{score.fraction():.1%}", f"{score.fraction(('resolution',)):.1%}",
                   f"{parse_ms:.1f}", f"{import_ms:.1f}"]
            if not args.no_round_trip:
                data = pure_directive(parsed.data)
                if not data["issuer"] and result.issuer is not None:
                    data["issuer"] = result.issuer.header_lines  # a letter needs what the text did not print
                data["subject"] = data["subject"] or "trích yếu"
                if not data["signer"]["title"]:
                    data["signer"] = {**data["signer"], "authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN",
                                      "title": "CHỦ TỊCH"}
                docx = render(data, "docx")
                again, docx_ms = timed(lambda: parse_text(read_document(docx, "letter.docx").text), args.rounds)
                trip = compare(again.data, {**parsed.data, **{k: data[k] for k in ("issuer", "subject", "signer")}})
                round_trip.merge(trip)
                row += [f"{trip.fraction():.1%}", f"{docx_ms:.1f}"]
                printed = {**parsed.data, **{k: data[k] for k in ("issuer", "subject", "signer")}}
                pdf_text = read_document(render(data, "pdf"), "letter.pdf").text
                variants["pdf"].merge(compare(parse_text(pdf_text).data, printed))
            text = decode_text(content)[0]
            want = fixture["directive"]
            variants["hard-wrapped"].merge(compare(parse_text(hard_wrapped(text)).data, want))
            messy = unicodedata.normalize("NFD", text).replace("\n", "\r\n").replace(": ", ":\t")
            variants["nfd-crlf-tabs"].merge(compare(parse_text(messy).data, want))
            vni = legacy.from_unicode(text, "vni").encode("cp1252", errors="replace")
            variants["vni"].merge(compare(parse_text(decode_text(vni)[0]).data, want))
            tcvn3 = legacy.from_unicode(text.replace("’", "'"), "tcvn3").encode("latin-1", errors="replace")
            variants["tcvn3"].merge(compare(lowered(parse_text(decode_text(tcvn3)[0]).data), lowered(want)))
            rows.append(row)

    heads = ["fixture", "fields", "resolution", "parse ms", "import ms"] + \
            ([] if args.no_round_trip else ["round trip", "docx ms"])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    print("Import accuracy per document (median of %d rounds)" % args.rounds)
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    print()
    print("Field-level accuracy over all fixtures")
    for name in CATEGORIES + ("resolution",):
        right, count = total.right[name], total.total[name]
        print(f"  {name:<11} {right:>4}/{count:<4} {right / count if count else 1:.1%}")
    print(f"  {'all fields':<11} {sum(total.right[n] for n in CATEGORIES):>4}/"
          f"{sum(total.total[n] for n in CATEGORIES):<4} {total.fraction():.1%}")
    if not args.no_round_trip:
        print(f"Round trip (import, render DOCX, import again): {round_trip.fraction():.1%} of fields unchanged")
    print("Variants of every fixture (not used to write the fixtures)")
    for name, score in variants.items():
        if any(score.total.values()):
            parts = ", ".join(f"{n} {score.right[n] / score.total[n]:.0%}" for n in CATEGORIES
                              if score.total[n] and score.right[n] < score.total[n])
            print(f"  {name:<14} {score.fraction():.1%}" + (f"  (below 100%: {parts})" if parts else ""))
    times = [float(r[4]) for r in rows]
    print(f"Time per document (import with resolution): median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms")
    from bench.corpus_import import CORPUS, report, score_documents

    if CORPUS.is_dir():  # unseen real documents, scored by ../shared/tools/score_import.py
        print(f"Development corpus ({CORPUS.name}, score_import.py's score per document)")
        for line in report(score_documents(app)):
            print("  " + line)


if __name__ == "__main__":
    main()
