"""OCR accuracy: corpus letters printed, scanned (200 dpi, light noise and skew) and imported.

    .venv/bin/python bench/ocr_accuracy.py [--only 05,13] [--dpi 200]

Each ground-truth annotation of ../shared/corpus/real is turned into the directive format
(bench/corpus_letters.py; fields the page lost are filled with placeholders and the annotation
copy used for scoring says the same), rendered to PDF, and imported twice: from the PDF's text
layer, and from tests/scanning.py's scan of it (no text layer: Tesseract OCR). Both imports are
scored with ../shared/tools/score_import.py's `score` against the annotation; the OCR import is
also scored against the text-layer import (how much OCR alone loses). Prints one line per
document, the means, the OCR confidence per page and seconds per page. Exit status 0.
"""
import argparse
import statistics
import time

from bench.corpus_letters import annotation_to_letter, application, documents, scorer


def as_scored(result) -> dict:
    from app.importer.service import as_json

    return as_json(result)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated document numbers (01,05 …)")
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}

    from app.documents import render
    from app.extensions import db
    from app.importer import ocr
    from app.importer.errors import ImportRefused
    from app.importer.service import import_document
    from tests.scanning import scan

    score = scorer().score
    app = application()
    text_scores, ocr_scores, agreement, per_page, confidences = [], [], [], [], []
    with app.app_context():
        for stem, gt, _txt in documents():
            if wanted and stem[:2] not in wanted:
                continue
            data, printed, filled = annotation_to_letter(gt)
            pdf = render(data, "pdf")
            text_result = as_scored(import_document(content=pdf, filename=f"{stem}.pdf"))
            db.session.rollback()
            scanned = scan(pdf, dpi=args.dpi, seed=int(stem[:2]))
            pages = []
            started = time.perf_counter()
            try:
                with ocr.reporting(lambda page, total, done: done and pages.append(done)):
                    ocr_result = as_scored(import_document(content=scanned, filename=f"{stem}-scan.pdf"))
            except ImportRefused as error:
                print(f"{stem}: OCR refused: {error.message}")
                ocr_scores.append(0.0)
                continue
            finally:
                db.session.rollback()
            seconds = time.perf_counter() - started
            text_total, _ = score(printed, text_result)
            ocr_total, parts = score(printed, ocr_result)
            same, _ = score(_as_annotation(text_result), ocr_result)
            text_scores.append(text_total)
            ocr_scores.append(ocr_total)
            agreement.append(same)
            per_page.append(seconds / max(len(pages), 1))
            confidences.extend(p.confidence for p in pages)
            print(f"{stem}: text-layer {text_total:.3f}  ocr {ocr_total:.3f}  ocr-vs-text {same:.3f}  "
                  f"pages {len(pages)}  conf {'/'.join(f'{p.confidence:.0f}' for p in pages)}  "
                  f"{seconds / max(len(pages), 1):.1f} s/page"
                  + (f"  filled: {', '.join(filled)}" if filled else "")
                  + "  " + " ".join(f"{k}={v:.2f}" for k, v in parts.items()), flush=True)
    if ocr_scores:
        print(f"documents: {len(ocr_scores)}")
        print(f"text_layer_score: {statistics.mean(text_scores):.3f}")
        print(f"ocr_score: {statistics.mean(ocr_scores):.3f}  (target ≥ 0.85)")
        print(f"ocr_vs_text_layer: {statistics.mean(agreement):.3f}")
        print(f"ocr_confidence_per_page: mean {statistics.mean(confidences):.1f} min {min(confidences):.1f}")
        print(f"ocr_seconds_per_page: median {statistics.median(per_page):.1f}")


def _as_annotation(out: dict) -> dict:
    """An import printed as an annotation (keys of score_import.py), to score one import by another."""
    sections = []
    for section in out.get("sections") or []:
        leads = [a["agency"] for a in section.get("assignees") or [] if a.get("role") == "lead"]
        sections.append({"number": section.get("number"), "tasks": [t["text"] for t in section.get("tasks") or []],
                         "agencies": leads, "lead": leads[0] if len(leads) == 1 else None,
                         "coordinating": [a["agency"] for a in section.get("assignees") or []
                                          if a.get("role") == "coordinating"]})
    return dict(out, noi_nhan=out.get("cc") or [], sections=sections)


if __name__ == "__main__":
    main()
