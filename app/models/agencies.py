from datetime import date

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

AGENCY_KINDS = {
    "ubnd_tinh": "UBND cấp tỉnh",
    "van_phong": "Văn phòng",
    "so": "Sở",
    "nganh": "Ban, ngành",
    "ubnd_huyen": "UBND cấp huyện",
    "phong": "Phòng, ban cấp huyện",
    "ubnd_xa": "UBND cấp xã",
    "don_vi": "Đơn vị sự nghiệp, khác",
    "bo_phan": "Bộ phận trực thuộc",
}

agency_group_members = Table(
    "agency_group_members",
    db.metadata,
    Column("group_id", ForeignKey("agency_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(db.Model):
    """An agency in the administrative tree (UBND tỉnh > Sở, UBND huyện > Phòng, UBND xã...).

    Every agency is an organisation: it issues letters under its own name and register, receives
    directives and carries out its tasks. `serves` names the body it prepares documents for (Văn
    phòng UBND tỉnh → UBND tỉnh), so its staff also draft and follow that body's directives.
    An agency merged or dissolved keeps its row (old letters print its name) with `valid_to` and
    the `successor` that took over its open work.
    """

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    short_name: Mapped[str] = mapped_column(String(200))
    abbreviation: Mapped[str] = mapped_column(String(30), default="")
    kind: Mapped[str] = mapped_column(String(20))
    header_text: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    serves_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # mã định danh (QĐ 20/2020/QĐ-TTg), the edXML OrganId: an opaque string, at most 35 characters
    code: Mapped[str | None] = mapped_column(String(35), index=True)

    parent: Mapped["Agency | None"] = relationship(remote_side=[id], back_populates="children",
                                                    foreign_keys=[parent_id])
    children: Mapped[list["Agency"]] = relationship(back_populates="parent", order_by="Agency.name",
                                                    foreign_keys=[parent_id])
    serves: Mapped["Agency | None"] = relationship(remote_side=[id], foreign_keys=[serves_id])
    successor: Mapped["Agency | None"] = relationship(remote_side=[id], foreign_keys=[successor_id])

    @property
    def header_lines(self) -> list[str]:
        return [line for line in (self.header_text or "").split("\n") if line]

    @property
    def kind_label(self) -> str:
        return AGENCY_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Agency {self.name}>"


class AgencyGroup(db.Model):
    """A named set of agencies, printed once in a letter and fanned out per member when tracked."""

    __tablename__ = "agency_groups"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_agency_groups_owner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")

    owner: Mapped[Agency] = relationship()
    members: Mapped[list[Agency]] = relationship(secondary=agency_group_members, order_by="Agency.name")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.owner.short_name})"

    def __repr__(self) -> str:
        return f"<AgencyGroup {self.name}>"


def same_tree(agency: "Agency", agencies) -> list["Agency"]:
    """The agencies (from `agencies`) under the same top-level agency, e.g. one province's tree.

    Walks parent ids in memory, so it costs no query per agency.
    """
    parents = {a.id: a.parent_id for a in agencies}

    def top(agency_id):
        seen = set()
        while parents.get(agency_id) is not None and agency_id not in seen:
            seen.add(agency_id)
            agency_id = parents[agency_id]
        return agency_id

    root = top(agency.id)
    return [a for a in agencies if top(a.id) == root]


def header_text_from_lines(lines) -> str:
    return "\n".join(line for line in lines if line)

