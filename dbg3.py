import json, sys
from bench.corpus_letters import annotation_to_letter, application, documents, scorer
from app.documents import render
from app.importer import readers
from app.importer.parser import parse_text
app = application()
with app.app_context():
    for stem, gt, _txt in documents():
        if stem[:2] not in sys.argv[1].split(","): continue
        data, printed, filled = annotation_to_letter(gt)
        pdf = render(data, "pdf")
        src = readers.read_document(pdf, "x.pdf", 10**8)
        p = parse_text(src.text)
        print("=====", stem); print(src.text[:1800]); print("RECIP", p.data["recipients"]); print("SECTIONS", json.dumps(p.data["sections"], ensure_ascii=False)[:700]); print("CLOSING", p.data["closing"][:200])
