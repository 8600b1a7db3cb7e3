"""The directive files in directives/ against the raw seeds they were made from.

Plain pytest: yaml + unicodedata only, no Flask app.

- every directives/NNN-*.yaml loads, is NFC, has exactly the keys of the directive format
  (DESIGN.md, "One directive format, everywhere") with valid enum values;
- faithfulness: every sentence / list item of the raw seed body
  (tests/fixtures/seeds/NNN_*.txt) appears, whitespace-normalised, in one string of the
  YAML; every heading / task / preamble / closing of the YAML appears in the seed (nothing
  invented); recipients and cc lines equal the seed's;
- the agency directory directives/_agencies.yaml: issuer headers, assignee resolution
  within the issuer's top-level tree, group members, unique names.
"""
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVES = ROOT / "directives"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
AGENCIES = DIRECTIVES / "_agencies.yaml"

DIRECTIVE_KEYS = {
    "doc_type", "issuer", "number", "symbol", "place", "date", "subject", "urgency",
    "recipients", "preamble", "sections", "closing", "cc", "signer",
}
SECTION_KEYS = {"number", "heading", "assignees", "tasks"}
TASK_KEYS = {"text", "deadline"}
SIGNER_KEYS = {"authority", "authority_title", "title", "name"}
DOC_TYPES = {
    "cong_van", "chi_thi", "cong_dien", "thong_bao", "ke_hoach", "quyet_dinh", "bao_cao",
    "to_trinh",
}
URGENCIES = {None, "khan", "thuong_khan", "hoa_toc"}
ROLES = {"lead", "coordinating"}
AUTHORITIES = {None, "TM.", "KT.", "TL.", "TUQ.", "Q."}
AGENCY_KINDS = {
    "ubnd_tinh", "van_phong", "so", "nganh", "ubnd_huyen", "phong", "ubnd_xa", "don_vi",
    "bo_phan",
}
AGENCY_KEYS = {"name", "short_name", "abbreviation", "kind", "place", "header"}
# Seeds printed without a signature block (the signer in the YAML is inferred).
SEEDS_WITHOUT_SIGNATURE = {"002"}

DIRECTIVE_FILES = sorted(DIRECTIVES.glob("[0-9][0-9][0-9]-*.yaml"))


# ------------------------------------------------------------------ helpers

def norm(text):
    """Mechanical clean-up shared by seed and YAML: NFC, no markdown bold, one space."""
    text = unicodedata.normalize("NFC", text).replace("**", "").replace("\t", " ")
    return re.sub(r"\s+", " ", text).strip()


def repair(line):
    """The mechanical repairs allowed on a printed line (cc, recipients)."""
    line = re.sub(r":(?=\S)", ": ", line)  # "Lưu:VT-LT" -> "Lưu: VT-LT"
    line = re.sub(r"_\{(\w+)\}", r" \1", line)  # "PCVP_{KGVX}" -> "PCVP KGVX"
    return line


def strip_item(line):
    """A printed list line without "- " and its trailing ";" or "."."""
    line = re.sub(r"^- ", "", norm(line))
    return repair(re.sub(r"[;.]$", "", line).strip())


def strings(value):
    """All string values of a loaded YAML document, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def seed_for(path):
    nnn = path.name[:3]
    found = sorted(SEEDS.glob(f"{nnn}_*.txt"))
    assert len(found) == 1, f"expected one seed {nnn}_*.txt in {SEEDS}, found {found}"
    return found[0]


class Seed:
    """A raw seed split into its parts, by the printed line structure."""

    def __init__(self, path):
        raw = path.read_text(encoding="utf-8")
        self.text = norm(raw)  # the whole seed on one line
        lines = [norm(l) for l in raw.split("\n")]
        self.lines = lines

        k = next(i for i, l in enumerate(lines) if l.startswith("Kính gửi"))
        inline = lines[k].split(":", 1)[1].strip()
        i = k + 1
        if inline:
            self.recipients = [strip_item(inline)]
        else:
            self.recipients = []
            while i < len(lines) and (not lines[i] or lines[i].startswith("- ")):
                if lines[i]:
                    self.recipients.append(strip_item(lines[i]))
                i += 1
        n = next(j for j, l in enumerate(lines) if l.startswith("Nơi nhận"))
        self.body_lines = lines[i:n]

        self.cc = []
        j = n + 1
        while j < len(lines) and (not lines[j] or lines[j].startswith("- ")):
            if lines[j]:
                self.cc.append(strip_item(lines[j]))
            j += 1
        self.after_cc = " ".join(l for l in lines[j:] if l)

        self.subject = None
        for s, line in enumerate(lines):
            m = re.match(r"^(V/v|Về việc)\s+(.*)$", line)
            if m:
                parts = [m.group(2)]
                for more in lines[s + 1:]:
                    if not more:
                        break
                    parts.append(more)
                self.subject = norm(" ".join(parts))
                break

    def units(self):
        """Body paragraphs and list items: a new unit at each "- " or "N. " line, other
        lines (PDF hard breaks) continue the current unit. Markers are stripped."""
        units = []
        for line in self.body_lines:
            if not line:
                continue
            if not units or re.match(r"^(- |\d+\. )", line):
                units.append(line)
            else:
                units[-1] += " " + line
        return [re.sub(r"^(- |\d+\. )", "", u) for u in units]

    def sentences(self):
        """Each unit cut into sentences (". " + capital) and at ": " (a heading that runs
        into its task, e.g. "Công an huyện: Kịp thời ...")."""
        out = []
        for unit in self.units():
            for part in re.split(r"(?<=:) ", unit):
                start = 0
                for m in re.finditer(r"(?<=[.!?]) (?=\S)", part):
                    if part[m.end()].isupper():
                        out.append(part[start:m.start()])
                        start = m.end()
                out.append(part[start:])
        return [s.strip() for s in out if s.strip()]

    def section_numbers(self):
        return [re.match(r"^(\d+)\. ", l).group(1) for l in self.body_lines
                if re.match(r"^\d+\. ", l)]


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def walk(agencies, root=None):
    """(agency, top-level root name) for every agency of the tree."""
    for a in agencies or []:
        top = root or a["name"]
        yield a, top
        yield from walk(a.get("children"), top)


@pytest.fixture(scope="module")
def directory():
    data = load(AGENCIES)
    agencies = list(walk(data["agencies"]))
    return {
        "data": data,
        "agencies": agencies,
        "by_name": {a["name"]: (a, top) for a, top in agencies},
        "groups": data["groups"],
    }


ids = [p.name for p in DIRECTIVE_FILES]


# ------------------------------------------------------------------ directive files

def test_five_directives_one_per_seed():
    seeds = sorted(p.name[:3] for p in SEEDS.glob("*.txt"))
    assert seeds == ["000", "001", "002", "003", "004"]
    assert [p.name[:3] for p in DIRECTIVE_FILES] == seeds
    for p in DIRECTIVE_FILES:
        assert re.fullmatch(r"\d{3}-[a-z0-9]+(-[a-z0-9]+)*\.yaml", p.name), p.name


@pytest.mark.parametrize("path", DIRECTIVE_FILES, ids=ids)
def test_loads_nfc_and_shape(path):
    raw = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw), "file is not NFC"
    d = yaml.safe_load(raw)
    assert isinstance(d, dict)
    for s in strings(d):
        assert unicodedata.is_normalized("NFC", s), s
        assert s == s.strip() and "  " not in s and "\t" not in s and "**" not in s, repr(s)

    assert set(d) == DIRECTIVE_KEYS
    assert d["doc_type"] in DOC_TYPES
    assert d["urgency"] in URGENCIES
    assert d["number"] is None and d["date"] is None  # signed-ready drafts
    assert isinstance(d["issuer"], list) and d["issuer"]
    assert all(isinstance(l, str) and l == l.upper() for l in d["issuer"])
    for key in ("symbol", "place", "subject", "preamble"):
        assert isinstance(d[key], str) and d[key], key
    assert not re.match(r"^(V/v|Về việc)\b", d["subject"])
    assert d["closing"] is None or d["closing"].endswith("./.")
    assert isinstance(d["recipients"], list) and d["recipients"]
    assert isinstance(d["cc"], list) and d["cc"]
    for line in d["recipients"] + d["cc"]:
        assert isinstance(line, str) and not line.startswith("- ")
        assert not line.endswith((";", ".")), line

    assert isinstance(d["sections"], list) and d["sections"]
    for s in d["sections"]:
        assert set(s) == SECTION_KEYS
        assert s["number"] is None or isinstance(s["number"], str)
        assert s["heading"] is None or isinstance(s["heading"], str)
        assert s["assignees"], "a section without assignees"
        for a in s["assignees"]:
            assert set(a) == {"agency", "role"}
            assert isinstance(a["agency"], str) and a["role"] in ROLES
        assert any(a["role"] == "lead" for a in s["assignees"]), "no lead"
        agencies = [a["agency"] for a in s["assignees"]]
        assert len(agencies) == len(set(agencies)), "duplicate assignee"
        assert s["tasks"]
        for t in s["tasks"]:
            assert set(t) == TASK_KEYS
            assert isinstance(t["text"], str) and t["text"]
            assert t["deadline"] is None
            assert not t["text"].startswith("- ")
    # the end mark is printed once: in the closing, or at the end of the last task
    last = d["sections"][-1]["tasks"][-1]["text"]
    assert (d["closing"] is not None) != last.endswith("./.")

    assert set(d["signer"]) == SIGNER_KEYS
    assert d["signer"]["authority"] in AUTHORITIES
    assert d["signer"]["title"]


@pytest.mark.parametrize("path", DIRECTIVE_FILES, ids=ids)
def test_every_seed_sentence_is_in_the_yaml(path):
    seed = Seed(seed_for(path))
    d = load(path)
    fields = [norm(s) for s in strings(d)]
    blob = "\n".join(fields)  # a sentence must sit inside one field
    sentences = seed.sentences()
    assert len(sentences) >= 5
    missing = [s for s in sentences if s not in blob]
    assert not missing, "seed sentences missing from the YAML:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", DIRECTIVE_FILES, ids=ids)
def test_nothing_invented_in_the_text(path):
    seed = Seed(seed_for(path))
    d = load(path)
    texts = [d["preamble"]]
    for s in d["sections"]:
        texts += [s["heading"]] if s["heading"] else []
        texts += [t["text"] for t in s["tasks"]]
    texts += [d["closing"]] if d["closing"] else []
    body = " ".join(seed.units())
    pos = 0  # each text is in the seed body, in the order of the letter
    for t in texts:
        assert norm(t) in body, f"not in the seed body: {t!r}"
        found = body.find(norm(t), pos)
        assert found >= 0, f"out of order: {t!r}"
        pos = found + len(norm(t))


@pytest.mark.parametrize("path", DIRECTIVE_FILES, ids=ids)
def test_recipients_cc_subject_numbers_signer(path):
    seed = Seed(seed_for(path))
    d = load(path)
    assert d["recipients"] == seed.recipients
    assert d["cc"] == seed.cc
    if seed.subject is not None:
        assert d["subject"] == re.sub(r"^(V/v|Về việc) ", "", seed.subject)
    else:  # no V/v line: the subject must be words of the seed itself
        assert norm(d["subject"]) in seed.text
    numbers = [s["number"] for s in d["sections"] if s["number"] is not None]
    assert numbers == seed.section_numbers()
    if not numbers:
        assert len(d["sections"]) == 1
    assert f"/{d['symbol']}" in seed.text or path.name.startswith("004")
    assert d["place"] in seed.text

    signer = d["signer"]
    if path.name[:3] in SEEDS_WITHOUT_SIGNATURE:
        assert signer["name"] is None
        return
    printed = seed.after_cc.replace(" ", "")
    expected = "".join(
        signer[k] for k in ("authority", "authority_title", "title", "name") if signer[k]
    ).replace(" ", "")
    assert printed == expected


# ------------------------------------------------------------------ agency directory

def test_agency_directory_shape(directory):
    data = directory["data"]
    assert set(data) == {"agencies", "groups"}
    raw = AGENCIES.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    for s in strings(data):
        assert unicodedata.is_normalized("NFC", s) and s == s.strip() and "  " not in s, s

    names = [a["name"] for a, _ in directory["agencies"]]
    assert len(names) == len(set(names)), "full names must be unique"
    headers = [tuple(a["header"]) for a, _ in directory["agencies"]]
    assert len(headers) == len(set(headers)), "headers must be unique (issuer lookup)"
    short = [(top, a["short_name"]) for a, top in directory["agencies"]]
    assert len(short) == len(set(short)), "short names must be unique within a tree"
    for a, _ in directory["agencies"]:
        assert AGENCY_KEYS <= set(a) <= AGENCY_KEYS | {"children", "serves"}, a["name"]
        assert a["kind"] in AGENCY_KINDS, a["name"]
        for key in ("name", "short_name", "abbreviation", "place"):
            assert isinstance(a[key], str) and a[key], (a["name"], key)
        assert isinstance(a["header"], list) and a["header"], a["name"]
        assert all(h == h.upper() for h in a["header"]), a["name"]
    for a in data["agencies"]:
        children = [c["kind"] for c in a.get("children") or []]
        if a["kind"] == "ubnd_tinh":
            assert children.count("van_phong") == 1, f"{a['name']}: one Văn phòng UBND tỉnh"


def test_groups(directory):
    by_name = directory["by_name"]
    keys = [(g["owner"], g["name"]) for g in directory["groups"]]
    assert len(keys) == len(set(keys)), "a group is identified by (owner, name)"
    for g in directory["groups"]:
        assert set(g) == {"name", "owner", "members"}
        assert g["name"] not in by_name, f"group name clashes with an agency: {g['name']}"
        assert g["owner"] in by_name, f"unknown owner {g['owner']}"
        owner_top = by_name[g["owner"]][1]
        assert len(g["members"]) >= 2 and len(g["members"]) == len(set(g["members"]))
        for m in g["members"]:
            assert m in by_name, f"{g['name']}: unknown member {m}"
            assert by_name[m][1] == owner_top, f"{g['name']}: {m} outside the owner's tree"


def test_group_members_are_the_real_units(directory):
    def members(owner_prefix, name):
        g, = [g for g in directory["groups"]
              if g["name"] == name and g["owner"].startswith(owner_prefix)]
        return set(g["members"])

    kt = members("Ủy ban nhân dân tỉnh Kon Tum", "Ủy ban nhân dân các huyện, thành phố")
    assert len(kt) == 10 and "Ủy ban nhân dân huyện Ia H'Drai" in kt
    ls = members("Ủy ban nhân dân tỉnh Lạng Sơn", "Ủy ban nhân dân các huyện, thành phố")
    assert len(ls) == 11 and "Ủy ban nhân dân thành phố Lạng Sơn" in ls
    dl = members("Ủy ban nhân dân tỉnh Đắk Lắk", "Ủy ban nhân dân các huyện, thị xã, thành phố")
    dl_no_city = members("Ủy ban nhân dân tỉnh Đắk Lắk", "Ủy ban nhân dân các huyện, thị xã")
    assert len(dl) == 15
    assert dl - dl_no_city == {"Ủy ban nhân dân thành phố Buôn Ma Thuột"}
    assert len(members("Ủy ban nhân dân huyện Ia H'Drai", "Ủy ban nhân dân các xã")) == 3


@pytest.mark.parametrize("path", DIRECTIVE_FILES, ids=ids)
def test_issuer_and_assignees_resolve(path, directory):
    d = load(path)
    issuers = [(a, top) for a, top in directory["agencies"] if a["header"] == d["issuer"]]
    assert len(issuers) == 1, f"issuer {d['issuer']} matches {len(issuers)} agency headers"
    issuer, top = issuers[0]
    assert issuer["place"] == d["place"]
    assert d["symbol"].split("-")[0] == issuer["abbreviation"]

    tree = [a for a, t in directory["agencies"] if t == top]
    groups = [g for g in directory["groups"] if directory["by_name"][g["owner"]][1] == top]
    for s in d["sections"]:
        for a in s["assignees"]:
            hits = [x for x in tree if a["agency"] in (x["name"], x["short_name"])]
            hits += [g for g in groups if g["name"] == a["agency"]]
            assert len(hits) == 1, (
                f"section {s['number']}: {a['agency']!r} resolves to {len(hits)} entries "
                f"in the tree of {top}")
