"""Names resolve within the issuer's own tree: a letter of an issuer the directory does not hold (Ủy ban
nhân dân Thành phố Hồ Chí Minh in the Kon Tum demo) names its own Sở, never the directory's."""
from sqlalchemy import select

from app.extensions import db
from app.importer.service import import_document
from app.models import Agency

LETTER = """ỦY BAN NHÂN DÂN
THÀNH PHỐ HỒ CHÍ MINH
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/UBND-VX
Thành phố Hồ Chí Minh, ngày 18 tháng 11 năm 2025
V/v rà soát biên chế
Kính gửi: Sở Nội vụ.
1. Sở Nội vụ chủ trì, phối hợp với Sở Tài chính rà soát biên chế năm 2026.
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn A
"""


def test_names_of_an_issuer_outside_the_directory_stay_unresolved(demo):
    with demo.app_context():
        kon_tum = db.session.scalars(select(Agency).where(Agency.name.like("Sở Nội vụ%"))).all()
        assert kon_tum, "the demo directory holds a Sở Nội vụ"
        result = import_document(text=LETTER)
        assert result.issuer is None
        assignees = result.data["sections"][0]["assignees"]
        assert [a["agency"] for a in assignees] == ["Sở Nội vụ", "Sở Tài chính"]
        assert all(a["resolved"] is None for a in assignees)
        assert result.recipients == [{"name": "Sở Nội vụ", "resolved": None, "resolved_type": None}]
        assert {item["agency"] for item in result.unresolved} == {"Sở Nội vụ", "Sở Tài chính"}
