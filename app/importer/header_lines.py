"""Header lines as printed, before the header is read: undo what a crawl or a PDF extraction did to them.

Each rule is one small function over the first lines of the letter, applied in this order:

1. header cells joined with "|" ("THỦ TƯỚNG CHÍNH PHỦ | CỘNG HÒA XÃ HỘI ... |") become one line each;
2. the Quốc hiệu and the motto broken over lines ("CỘNG HÒA XÃ HỘI" / "CHỦ NGHĨA VIỆT NAM") are joined, so
   that they are recognised and never taken for an agency line;
3. agency lines broken inside a name ("THỦ TƯỚNG CHÍNH" / "PHỦ", "ỦY BAN NHÂN" / "DÂN") are joined;
4. the place-date line broken anywhere ("Hà Nội, ngày 20" / "tháng 11 năm 2025", "… năm" / "2025", "Thành phố Hồ" /
   "Chí Minh, ngày ...") is joined, and a glued "05tháng" gets its space back;
5. a "V/v" alone on its line takes the next line.

Pure functions, no Flask.
"""
import re

from app.text import fold

HEADER_SPAN = 40  # the header is within the first lines; nothing below is touched
MOTTO_WORDS = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")
# Words that begin an agency line: a line starting otherwise continues the line above.
AGENCY_HEADS = ("uy ban", "ubnd", "thanh pho", "tinh ", "xa ", "huyen", "quan ", "phuong", "thi xa", "so ",
                "bo ", "ban ", "van phong", "cuc ", "tong cuc", "thu tuong", "chinh phu", "truong", "phong ",
                "trung tam", "hoi dong", "hdnd", "dang uy", "cong an", "chi cuc", "vien ", "doan ", "bch ",
                "bo chi huy", "dac khu", "tap doan", "tong cong ty", "cong ty", "kho bac", "ngan hang")
# An agency line cannot end with these words: the name goes on on the next line.
OPEN_ENDS = ("nhan", "chinh", "thu", "van phong", "ho chi", "ho", "giao duc va", "va", "cua", "tinh", "thanh pho",
             "huyen", "xa", "quan", "phuong", "-", "–", "uy ban", "bo", "so")
_DATE_DONE = re.compile(r"năm\s*(\d{4}|[.…_\s]*$)", re.IGNORECASE)
_DATE_START = re.compile(r"^[^\d,;:()|]{2,60},\s*(ngày\b.*)?$", re.IGNORECASE)
_PLACE_THEN_DATE = re.compile(r"^\S+(?:\s\S+){0,3},\s*ngày\b", re.IGNORECASE)


def normalize_header(lines: list[str]) -> list[str]:
    head, rest = lines[:HEADER_SPAN], lines[HEADER_SPAN:]
    for rule in (split_cells, join_motto, join_agency_lines, join_place_date, join_lone_vv):
        head = rule(head)
    return head + rest


def _upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.85 * len(letters)


def _folded(line: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", fold(line)).split())


def split_cells(lines: list[str]) -> list[str]:
    """"Số: 3148/VPCP-CN | Hà Nội, ngày ... |": the two header columns of a table flattened onto one line."""
    out = []
    for line in lines:
        if "|" in line and not line.startswith("|") and not re.match(r"(?i)^(nơi nhận)", line):
            out.extend(cell.strip() for cell in line.split("|") if cell.strip())
        elif "|" in line and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|") if cell.strip()]
            if len(cells) <= 2 and cells:
                out.extend(cells)
            else:
                out.append(line)
        else:
            out.append(line)
    return out


def join_motto(lines: list[str]) -> list[str]:
    """"CỘNG HÒA XÃ HỘI" / "CHỦ NGHĨA VIỆT NAM": one line, which the header reader recognises."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        folded = _folded(line)
        joined, j = line, i
        for motto in MOTTO_WORDS:
            if folded and motto.startswith(folded) and folded != motto and len(folded) >= 4:
                k = i + 1
                while k < len(lines) and k <= i + 3:
                    if not lines[k]:
                        k += 1
                        continue
                    candidate = joined + " " + lines[k]
                    if not motto.startswith(_folded(candidate)) and _folded(candidate) != motto:
                        break
                    joined, j = candidate, k
                    k += 1
                    if _folded(joined) == motto:
                        break
                break
        out.append(joined)
        i = j + 1
    return out


def _agency_head(line: str) -> bool:
    folded = _folded(line) + " "
    return folded.startswith(AGENCY_HEADS)


def _open_end(line: str) -> bool:
    folded = _folded(line)
    return line.rstrip().endswith(("-", "–")) or any(folded == end or folded.endswith(" " + end) for end in OPEN_ENDS)


def join_agency_lines(lines: list[str]) -> list[str]:
    """Upper-case agency lines before the motto: a line that does not start a name continues the one above."""
    out: list[str] = []
    for index, line in enumerate(lines):
        folded = _folded(line)
        if folded and any(motto.startswith(folded[:12]) for motto in MOTTO_WORDS) or re.match(r"(?i)^s[ốo]\s*:", line):
            return out + lines[index:]
        previous = out[-1] if out else ""
        if out and line and _upper(line) and _upper(previous) and len(previous) + len(line) < 90 and \
                (not _agency_head(line) or _open_end(previous)) and not re.search(r"[-_=*]{3,}", line):
            out[-1] = previous + " " + line
            continue
        out.append(line)
    return out


def join_place_date(lines: list[str]) -> list[str]:
    """"Hà Nội, ngày 20" / "tháng 11 năm 2025" (and "Thành phố Hồ" / "Chí Minh, ngày ..."): one line."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        following = [k for k in range(i + 1, min(i + 3, len(lines))) if lines[k]]
        nxt = lines[following[0]] if following else ""
        if line and nxt and not _upper(line) and len(line) < 40 and not re.search(r"[\d.;:]", line) \
                and line[:1].isupper() and _PLACE_THEN_DATE.match(nxt) and not re.match(r"(?i)^(v/v|về|kính)", line):
            line, i = line + " " + nxt, following[0]
        if _DATE_START.match(line) and ("ngày" in line.lower() or line.rstrip().endswith(",")) \
                and not _DATE_DONE.search(line):
            k = i + 1
            while k < len(lines) and k <= i + 2 and not _DATE_DONE.search(line):
                if lines[k] and re.match(r"(?i)^(ngày|tháng|năm|\d{1,2}\b|[.…]+)", lines[k]):
                    line, i = line + " " + lines[k], k
                elif lines[k]:
                    break
                k += 1
        if _DATE_START.match(line) and re.search(r"(?i)\bnăm\s*$", line) and i + 1 < len(lines) \
                and re.fullmatch(r"\d{4}", lines[i + 1].strip()):
            line, i = f"{line} {lines[i + 1].strip()}", i + 1  # "…, ngày 28 tháng 11 năm" / "2025"
        line = re.sub(r"(?i)(ngày\s*\d{1,2})(tháng)", r"\1 \2", line)
        line = re.sub(r"(?i)(tháng\s*\d{1,2})(năm)", r"\1 \2", line)
        out.append(line)
        i += 1
    return out


def join_lone_vv(lines: list[str]) -> list[str]:
    """"V/v" alone on its line, the subject on the next."""
    out: list[str] = []
    skip = False
    for index, line in enumerate(lines):
        if skip:
            skip = False
            continue
        if re.fullmatch(r"(?i)v\s*/\s*v\s*[:.]?", line) and index + 1 < len(lines) and lines[index + 1]:
            out.append("V/v " + lines[index + 1])
            skip = True
            continue
        out.append(line)
    return out


def normalize_tail(lines: list[str]) -> list[str]:
    """"Nơi" / "nhận:" broken over two lines, and "Nơi nhận: | KT. THỦ TƯỚNG |" (the two columns of the
    signature table flattened onto one line): the lines the tail reader expects."""
    out: list[str] = []
    for line in lines:
        if out and re.fullmatch(r"(?i)nơi", out[-1]) and re.match(r"(?i)^nhận\s*:", line):
            out[-1] = out[-1] + " " + line
            continue
        if re.match(r"(?i)^nơi\s+nhận\s*:.*\|", line):
            out.extend(cell.strip() for cell in line.split("|") if cell.strip())
            continue
        out.append(line)
    return out


_LONE_MARKER = re.compile(r"^(?:[IVX]{1,5}\.(?:\d{1,2}\.)*|\d{1,2}(?:\.\d{1,2}){0,3}\.?|[a-zđ]\)|[-+])$")


def join_lone_markers(lines: list[str]) -> list[str]:
    """"1.1." / "Trưởng Ban Chỉ đạo", "-" / "Tuyên truyền ...": a marker alone on its line (a crawl or a PDF
    breaking right after it) goes with the next line that has text."""
    out: list[str] = []
    waiting: str | None = None
    for line in lines:
        if waiting is not None:
            if not line:
                continue
            out.append(waiting + " " + line)
            waiting = None
            continue
        if _LONE_MARKER.match(line):
            waiting = line
            continue
        out.append(line)
    if waiting is not None:
        out.append(waiting)
    return out


_CELL_ROLES = (("stt", "tt", "so tt"), ("noi dung", "nhiem vu", "cong viec"), ("chu tri",), ("phoi hop",),
               ("thoi gian", "thoi han", "hoan thanh"), ("san pham", "ket qua"), ("ghi chu",))


def _header_cell(line: str) -> bool:
    folded = _folded(line)
    return bool(line) and len(line) <= 40 and any(folded == key or folded.startswith(key) or f" {key}" in folded
                                                  for keys in _CELL_ROLES for key in keys)


def rebuild_flat_tables(lines: list[str]) -> list[str]:
    """A table flattened to one cell per line ("TT" / "Nội dung/nhiệm vụ" / "Cơ quan chủ trì" / ... then
    "1" / the task, wrapped / the lead / the others / the time): back to "| 1 | ... |" rows. A row's last
    cells take one line each; the lines before them are its content."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        k = i
        while k < len(lines) and _header_cell(lines[k]):
            k += 1
        width = k - i
        if width < 3 or not re.fullmatch(r"s?tt|số tt|stt\.?", lines[i].strip().lower()) or \
                k >= len(lines) or lines[k].strip() != "1":
            out.append(lines[i])
            i += 1
            continue
        out.append("| " + " | ".join(lines[i:k]) + " |")
        number, row, i = 1, [], k + 1
        while i < len(lines):
            line = lines[i]
            if line.strip() == str(number + 1) or not line:
                if len(row) >= width - 1:
                    cells = [" ".join(row[:len(row) - (width - 2)])] + row[len(row) - (width - 2):]
                    out.append(f"| {number} | " + " | ".join(cells) + " |")
                if not line:
                    row = None
                    break
                number, row = number + 1, []
            else:
                row.append(line)
            i += 1
        if row and len(row) >= width - 1:
            cells = [" ".join(row[:len(row) - (width - 2)])] + row[len(row) - (width - 2):]
            out.append(f"| {number} | " + " | ".join(cells) + " |")
    return out
