"""Period report benchmark: the báo cáo of a busy quarter with its landscape Appendix, as PDF and DOCX.

Run from the repository root:

    .venv/bin/python -m bench.report_bench                 # ~1 min: build the data, 3 rounds of each figure
    .venv/bin/python -m bench.report_bench --rounds 5 --profile pdf,docx
    .venv/bin/python -m bench.report_bench --keep /tmp/report   # also write report.pdf / report.docx there

A SQLite file in a temporary directory is filled with the tracking bench's generator
(bench/tracking_bench.py `generate` and `load`, fixed seed) and a fixed `today`, so every run reports the
same rows and the same number of pages. The report covers the tasks due in one quarter, for the
organisation UBND tỉnh, as the office user (Văn phòng) asks for it: the same call as the job
(`app/jobs/exports.py` `report_bytes`). Timed, each `rounds` times after one warm-up, p50 and min..max:

* `data`: `reports.report()`: the SQL and the rows of the letter and of the appendix;
* `pdf` / `docx`: `app.documents.render()` of the letter with its appendix (build_letter included);
* `report_pdf` / `report_docx`: `report_bytes()` end to end (permission checks, data, render).

`report_96_pages_seconds` is `report_pdf`'s p50 for a report whose PDF has about 96 pages (the page count
is read back from the PDF with pypdf), against the 2 s target. `*_cpu_s` is the process CPU time of the
same calls: the machine is shared, and CPU time moves less with the load than wall time. Everything is
printed as `name: value`; nothing asserts, the exit status is 0. See bench/README.md.
"""
import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TODAY = date(2026, 11, 15)  # fixed: the same rows, timeliness and pages in every run
QUARTER = (date(2026, 10, 1), date(2026, 12, 31))  # quý IV: deadlines are generated today ± 60 days
# a busy quarter: about 96 pages of PDF (see report_assignments and pdf_pages)
SIZE = {"directives": 20, "assignments": 960, "agencies": 150}
TARGET_S = 2.0
SIGNER = {"authority": "TL.", "authority_title": "CHỦ TỊCH", "title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn B"}


def out(name, value):
    print(f"{name}: {value}", flush=True)


def progress(message):
    print(f"# {message}", flush=True)


def timed(function, rounds):
    """(result of the last call, wall seconds per call, CPU seconds per call) after one warm-up call."""
    result = function()
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, walls, cpus


def report_figure(name, walls, cpus):
    out(f"{name}_s_p50", f"{statistics.median(walls):.3f}")
    out(f"{name}_s_range", f"{min(walls):.3f}..{max(walls):.3f}")
    out(f"{name}_cpu_s_p50", f"{statistics.median(cpus):.3f}")
    return statistics.median(walls)


def profile(name, function, top=15):
    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    root = str(ROOT) + "/"
    for order, index in (("cum", 3), ("own", 2)):
        ranked = sorted(stats.items(), key=lambda item: item[1][index], reverse=True)[:top]
        for rank, ((path, line, function_name), values) in enumerate(ranked, start=1):
            where = f"{path.replace(root, '').replace(sys.prefix + '/', '')}:{line}({function_name})"
            out(f"{name}_profile_{order}_{rank:02d}", f"{values[index] * 1000:.0f} ms {values[1]} calls {where}")


def pdf_pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed calls of each figure (default 3)")
    parser.add_argument("--assignments", type=int, default=SIZE["assignments"],
                        help=f"generated assignments (default {SIZE['assignments']}: about 96 pages)")
    parser.add_argument("--profile", default="", metavar="WHAT", help="comma-separated: data, pdf, docx")
    parser.add_argument("--keep", metavar="DIR", help="write report.pdf and report.docx to DIR")
    args = parser.parse_args()
    wanted = {p.strip() for p in args.profile.split(",") if p.strip()}

    from bench import tracking_bench
    from app import create_app
    from app.documents import render
    from app.extensions import db
    from app.jobs import exports
    from app.models import User
    from app.tracking import queries, reports

    out("python", sys.version.split()[0])
    out("cpus", os.cpu_count())
    out("load_average_1_5_15", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    out("today", TODAY.isoformat())
    out("quarter", f"{QUARTER[0].isoformat()}..{QUARTER[1].isoformat()}")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/report.db",
                          "LOG_FILE": os.devnull, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        size = dict(SIZE, assignments=args.assignments)
        progress(f"generating {size['directives']} directives, {size['assignments']} assignments, "
                 f"{size['agencies']} agencies")
        data = tracking_bench.generate(size, TODAY, random.Random(tracking_bench.SEED))
        tracking_bench.load(app, data, "report", postgres=False)
        out("load_s", f"{time.perf_counter() - began:.1f}")
        # the job asks the clock for today: the bench's fixed day instead, so the figures never move
        exports.local_today = lambda: TODAY
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.username == tracking_bench.OFFICE_USER))
            organisation = data["root"]
            issuer = exports.letter_issuer(user)
            values = {"directive": None, "recipients": "Thường trực Ủy ban nhân dân tỉnh", "signer": SIGNER,
                      "deadline_from": QUARTER[0].isoformat(), "deadline_to": QUARTER[1].isoformat()}
            filters, scope_text = exports.report_filters(values)
            window = app.config["DUE_SOON_DAYS"]

            def build():
                return reports.report(filters, scope_text, issuer, [values["recipients"]], SIGNER, TODAY, window,
                                      queries.owned_by(organisation))

            (letter_data, appendix), walls, cpus = timed(build, args.rounds)
            rows = [cells for kind, cells in appendix.rows if kind == "row"]
            out("report_assignments", len(rows))
            out("report_agencies", sum(1 for kind, _cells in appendix.rows if kind == "group"))
            data_s = report_figure("data", walls, cpus)
            figures = {}
            for fmt in ("pdf", "docx"):
                progress(f"rendering the {fmt.upper()} ({args.rounds} rounds + 1 warm-up)")
                content, walls, cpus = timed(lambda: render(letter_data, fmt, today=TODAY, appendix=appendix),
                                             args.rounds)
                figures[fmt] = report_figure(fmt, walls, cpus)
                out(f"{fmt}_bytes", len(content))
                if fmt == "pdf":
                    pages = pdf_pages(content)
                    out("pdf_pages", pages)
                if args.keep:
                    Path(args.keep).mkdir(parents=True, exist_ok=True)
                    (Path(args.keep) / f"report.{fmt}").write_bytes(content)
            totals = {}
            for fmt in ("pdf", "docx"):
                progress(f"report_bytes, {fmt.upper()} ({args.rounds} rounds + 1 warm-up)")
                (content, _name), walls, cpus = timed(
                    lambda: exports.report_bytes(user, organisation, dict(values, format=fmt)), args.rounds)
                totals[fmt] = report_figure(f"report_{fmt}", walls, cpus)
            if wanted & {"data", "pdf", "docx"}:
                progress("one more call of each under cProfile (about twice as slow)")
            if "data" in wanted:
                profile("data", build)
            for fmt in ("pdf", "docx"):
                if fmt in wanted:
                    profile(fmt, lambda: render(letter_data, fmt, today=TODAY, appendix=appendix))
            db.session.remove()
            db.engine.dispose()
    out("data_plus_pdf_plus_docx_s", f"{data_s + figures['pdf'] + figures['docx']:.3f}")
    out("report_96_pages_seconds", f"{totals['pdf']:.3f} ({pages} pages, report_bytes PDF p50)")
    out("report_96_pages_target_s", TARGET_S)
    out("report_96_pages", "met" if totals["pdf"] <= TARGET_S else "not met")
    out("total_s", f"{time.perf_counter() - began:.1f}")


if __name__ == "__main__":
    main()
