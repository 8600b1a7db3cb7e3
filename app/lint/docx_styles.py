"""Effective formatting of Word paragraphs and runs: run → character style → paragraph style →
document defaults, as Word resolves it (python-docx gives only what is set directly)."""
from dataclasses import dataclass, field

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
THEME_ATTRS = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "cs": "cstheme", "eastAsia": "eastAsiaTheme"}


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def val(element, attr="val"):
    return None if element is None else element.get(w(attr))


def on(element) -> bool | None:
    """A toggle property (w:b, w:i, w:caps): None when absent."""
    if element is None:
        return None
    return element.get(w("val")) not in ("0", "false", "off", "none")


class Styles:
    def __init__(self, styles_el):
        self.by_id, self.default_para = {}, None
        for style in styles_el.iter(w("style")) if styles_el is not None else []:
            sid = style.get(w("styleId"))
            self.by_id[sid] = style
            if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true"):
                self.default_para = sid
        defaults = styles_el.find(w("docDefaults")) if styles_el is not None else None
        self.rpr_default = defaults.find(f"{w('rPrDefault')}/{w('rPr')}") if defaults is not None else None
        self.ppr_default = defaults.find(f"{w('pPrDefault')}/{w('pPr')}") if defaults is not None else None

    def chain(self, sid):
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            style = self.by_id[sid]
            yield style
            sid = val(style.find(w("basedOn")))

    def para_style(self, p):
        ppr = p.find(w("pPr"))
        sid = val(ppr.find(w("pStyle"))) if ppr is not None else None
        return sid or self.default_para

    def rpr_levels(self, r, p):
        rpr = r.find(w("rPr")) if r is not None else None
        if rpr is not None:
            yield rpr
            for style in self.chain(val(rpr.find(w("rStyle")))):
                if style.find(w("rPr")) is not None:
                    yield style.find(w("rPr"))
        for style in self.chain(self.para_style(p)):
            if style.find(w("rPr")) is not None:
                yield style.find(w("rPr"))
        if self.rpr_default is not None:
            yield self.rpr_default

    def ppr_levels(self, p):
        ppr = p.find(w("pPr"))
        if ppr is not None:
            yield ppr
        for style in self.chain(self.para_style(p)):
            if style.find(w("pPr")) is not None:
                yield style.find(w("pPr"))
        if self.ppr_default is not None:
            yield self.ppr_default


@dataclass
class DRun:
    text: str
    fonts: dict
    size: float
    bold: bool
    italic: bool
    colour: str | None
    caps: bool
    underline: bool


@dataclass
class DPara:
    el: object = field(repr=False)
    text: str
    runs: list
    jc: str | None
    left: float  # points
    right: float
    first: float  # negative: a hanging indent
    before: float
    after: float
    line: int | None  # w:spacing/@w:line as written
    line_rule: str | None
    borders: dict
    mark_size: float | None  # the paragraph mark's size: the height of an empty paragraph

    @property
    def size(self) -> float | None:
        sizes = [r.size for r in self.runs if r.size is not None]
        return max(sizes) if sizes else None

    @property
    def bold(self) -> bool:
        return bool(self.runs) and all(r.bold for r in self.runs)

    @property
    def italic(self) -> bool:
        return bool(self.runs) and all(r.italic for r in self.runs)


def run_props(r, p, styles: Styles) -> DRun:
    text = "".join((t.text or "") for t in r.iter(w("t"))) if r is not None else ""
    fonts, size, bold, italic, colour, caps, underline = {}, None, None, None, None, None, None
    for rpr in styles.rpr_levels(r, p):
        rfonts = rpr.find(w("rFonts"))
        if rfonts is not None:
            for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
                if attr not in fonts:
                    theme = rfonts.get(w(THEME_ATTRS[attr]))
                    if theme or rfonts.get(w(attr)):
                        fonts[attr] = f"theme:{theme}" if theme else rfonts.get(w(attr))
        if size is None and rpr.find(w("sz")) is not None:
            size = int(val(rpr.find(w("sz")))) / 2
        bold = on(rpr.find(w("b"))) if bold is None else bold
        italic = on(rpr.find(w("i"))) if italic is None else italic
        if colour is None and rpr.find(w("color")) is not None:
            element = rpr.find(w("color"))
            colour = f"theme:{element.get(w('themeColor'))}" if element.get(w("themeColor")) else val(element)
        if caps is None:
            caps = on(rpr.find(w("caps"))) or on(rpr.find(w("smallCaps")))
        if underline is None and rpr.find(w("u")) is not None:
            underline = val(rpr.find(w("u"))) not in (None, "none")
    return DRun(text, fonts, size if size is not None else 10.0, bool(bold), bool(italic), colour, bool(caps),
                bool(underline))


def para_props(p, styles: Styles) -> DPara:
    def first_found(path, attr):
        for ppr in styles.ppr_levels(p):
            element = ppr.find(path)
            if element is not None and element.get(w(attr)) is not None:
                return element.get(w(attr))
        return None

    ind = {}
    for attr, names in (("left", ("left", "start")), ("right", ("right", "end")), ("firstLine", ("firstLine",)),
                        ("hanging", ("hanging",))):
        for name in names:
            value = first_found(w("ind"), name)
            if value is not None:
                ind[attr] = int(value)
                break
    first = ind.get("firstLine", 0) - ind.get("hanging", 0) if "hanging" in ind else ind.get("firstLine", 0)
    spacing = {name: first_found(w("spacing"), name) for name in ("before", "after", "line", "lineRule")}
    borders = {}
    pbdr = p.find(f"{w('pPr')}/{w('pBdr')}")
    if pbdr is not None:
        for edge in pbdr:
            borders[edge.tag.split("}")[1]] = {"val": edge.get(w("val")), "sz": int(edge.get(w("sz")) or 0),
                                               "space": int(edge.get(w("space")) or 0), "color": edge.get(w("color"))}
    runs = [run_props(r, p, styles) for r in p.iter(w("r"))]
    runs = [r for r in runs if r.text]
    mark = p.find(f"{w('pPr')}/{w('rPr')}/{w('sz')}")
    return DPara(el=p, text="".join(r.text for r in runs), runs=runs, jc=first_found(w("jc"), "val"),
                 left=ind.get("left", 0) / 20, right=ind.get("right", 0) / 20, first=first / 20,
                 before=int(spacing["before"] or 0) / 20, after=int(spacing["after"] or 0) / 20,
                 line=int(spacing["line"]) if spacing["line"] else None, line_rule=spacing["lineRule"],
                 borders=borders, mark_size=int(val(mark)) / 2 if mark is not None else None)
