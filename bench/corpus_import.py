"""The development corpus (../shared/corpus/real) imported as `flask directive import --dry-run` would,
in one process, and scored by ../shared/tools/score_import.py's own `score` function.

    python -m bench.corpus_import            # one line per document and the mean, as the scorer prints

Shared by bench/import_accuracy.py and tests/test_import_corpus.py (the floor the score may not drop below).
"""
import json

from bench.corpus_letters import CORPUS, application, scorer


def score_documents(app=None, corpus=CORPUS) -> list[tuple[str, float, dict]]:
    """(document, total, parts) for every annotated document of the corpus, in file order."""
    from app.importer.service import as_json, import_document

    score = scorer().score
    app = app or application()
    rows = []
    with app.app_context():
        for gt_path in sorted(corpus.glob("*.json")):
            gt = json.loads(gt_path.read_text(encoding="utf-8"))
            text_path = corpus / (gt_path.stem + ".txt")
            result = import_document(content=text_path.read_bytes(), filename=text_path.name)
            out = json.loads(json.dumps(as_json(result), ensure_ascii=False))  # what the command prints
            total, parts = score(gt, out)
            rows.append((gt_path.stem, total, parts))
    return rows


def report(rows) -> list[str]:
    lines = [f"{name}: {total:.2f} " + " ".join(f"{k}={v:.2f}" for k, v in parts.items())
             for name, total, parts in rows]
    lines.append(f"score: {sum(total for _n, total, _p in rows) / len(rows):.3f}" if rows else "score: 0")
    return lines


def main():
    if not CORPUS.is_dir():
        print(f"No corpus at {CORPUS}")
        return
    print("\n".join(report(score_documents())))


if __name__ == "__main__":
    main()
