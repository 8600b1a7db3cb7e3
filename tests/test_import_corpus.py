"""The development corpus as a floor: the importer's score on the twenty real directives of
../shared/corpus/real (scored by ../shared/tools/score_import.py's own function) may not drop.

Raise the floors when the importer gets better; never lower them to make a change pass. Skipped when the
corpus is not beside the project."""
import pytest

from bench.corpus_letters import CORPUS, SCORER

# score per document as reached (rounded down), minus 0.005 of slack for each
FLOORS = {
    "01_cantho-09-ct-nuoc-duoi-dat": 0.92,
    "02_ttg-223-cd-lu-khanhhoa-daklak": 0.95,
    "03_ttg-234-cd-chien-dich-quang-trung": 0.95,
    "04_vpcp-655-tb-ket-luan-sonla": 0.92,
    "05_vpcp-11414-cv-cao-toc-benluc": 0.99,
    "06_bnv-10989-cv-bien-che": 0.99,
    "07_bvhttdl-6316-cv-giao-nhiem-vu": 0.86,
    "08_hanoi-6397-cv-dau-thau": 0.80,
    "09_hcm-sgddt-5155-cv-tthtcd": 0.99,
    "10_quangngai-1627-qd-kh-kiem-ke": 0.86,
    "11_hanoi-310-kh-5g-iot": 0.77,
    "12_hcm-174-kh-binh-dang-gioi": 0.82,
    "13_btc-17986-cv-cam-nang-thue": 0.99,
    "14_nghean-1026-kh-bi-mat-nha-nuoc": 0.88,
    "15_vpcp-11520-cv-nhien-lieu-sinh-hoc": 0.88,
    "16_angiang-554-ubnd-kt-2006": 0.99,
    "17_ttg-1631-kgvx-2010": 0.93,
    "18_vpcp-3148-cn-2018": 0.99,
    "19_lienson-08-cv-ubnd-xa-2020": 0.99,
    "20_duchop-tb-ubnd-xa-2021": 0.99,
}
TOTAL_FLOOR = 0.929

pytestmark = pytest.mark.skipif(not (CORPUS.is_dir() and SCORER.is_file()),
                                reason="../shared/corpus/real or the scorer is not here")


@pytest.fixture(scope="module")
def scores():
    from bench.corpus_import import score_documents

    return {name: (total, parts) for name, total, parts in score_documents()}


def test_every_annotated_document_is_scored(scores):
    assert len(scores) == len(list(CORPUS.glob("*.json"))) >= 20


def test_total_score_does_not_drop(scores):
    total = sum(value for value, _parts in scores.values()) / len(scores)
    assert total >= TOTAL_FLOOR - 0.005, f"corpus score {total:.3f} below its floor {TOTAL_FLOOR:.3f}"


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_document_score_does_not_drop(scores, name):
    total, parts = scores[name]
    assert total >= FLOORS[name] - 0.005, f"{name}: {total:.3f} below its floor {FLOORS[name]:.2f} ({parts})"
