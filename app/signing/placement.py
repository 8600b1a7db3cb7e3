"""ND30 rule R44 read back from a signed PDF: each signature widget's image (PNG with alpha, i.e. an
image XObject with an /SMask), the signer's predominantly blue, the seal's predominantly red, the seal
left of the signature image and overlapping about a third of its width ([0.2, 0.45])."""
import io
import re

from PIL import Image

from app.signing.keys import dominant_colour

TOKEN = re.compile(rb"/[^\s/\[\]()<>]+|[-+]?\d*\.?\d+|[A-Za-z'\"]+")


def _multiply(a, b):
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _images(stream, ctm, depth=0):
    """(bbox, image stream) of every image drawn by a content stream, in the coordinates of `ctm`."""
    found = []
    resources = stream.get("/Resources", {})
    xobjects = resources.get("/XObject", {}) if resources else {}
    stack, operands = [], []
    for token in TOKEN.findall(stream.data):
        if token == b"q":
            stack.append(ctm)
        elif token == b"Q":
            ctm = stack.pop() if stack else ctm
        elif token == b"cm" and len(operands) >= 6:
            ctm = _multiply(tuple(float(x) for x in operands[-6:]), ctm)
        elif token == b"Do" and operands:
            name = operands[-1].decode()
            target = xobjects.get(name)
            if target is not None:
                target = target.get_object()
                if target.get("/Subtype") == "/Image":
                    xs = [ctm[4], ctm[4] + ctm[0], ctm[4] + ctm[2], ctm[4] + ctm[0] + ctm[2]]
                    ys = [ctm[5], ctm[5] + ctm[1], ctm[5] + ctm[3], ctm[5] + ctm[1] + ctm[3]]
                    found.append(((min(xs), min(ys), max(xs), max(ys)), target))
                elif target.get("/Subtype") == "/Form" and depth < 5:
                    matrix = tuple(float(x) for x in target.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                    found.extend(_images(target, _multiply(matrix, ctm), depth + 1))
        if re.fullmatch(rb"[-+]?\d*\.?\d+|/.+", token):
            operands.append(token)
        else:
            operands = []
    return found


def _colour(image_stream) -> str:
    width, height = int(image_stream["/Width"]), int(image_stream["/Height"])
    mode = {"/DeviceRGB": "RGB", "/DeviceGray": "L"}.get(str(image_stream.get("/ColorSpace")), "RGB")
    image = Image.frombytes(mode, (width, height), image_stream.data)
    smask = image_stream.get("/SMask")
    if smask is not None:
        smask = smask.get_object()
        image.putalpha(Image.frombytes("L", (width, height), smask.data))
    return dominant_colour(image)


def signature_images(pdf: bytes) -> list[dict]:
    """Every signature field's images: field name, page-space bbox, colour, alpha."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    form = reader.root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    out = []
    for field in (form.get("/Fields", []) if form else []):
        field = field.get_object()
        widgets = [k.get_object() for k in field.get("/Kids", [])] or [field]
        if field.get("/FT") != "/Sig":
            continue
        for annot in widgets:
            appearance = annot.get("/AP", {}).get("/N")
            if appearance is None or "/Rect" not in annot:
                continue
            appearance = appearance.get_object()
            rect = [float(x) for x in annot["/Rect"]]
            rx0, rx1 = sorted(rect[0::2])
            ry0, ry1 = sorted(rect[1::2])
            raw = [float(x) for x in appearance.get("/BBox", [0, 0, rx1 - rx0, ry1 - ry0])]
            bx0, bx1 = sorted(raw[0::2])
            by0, by1 = sorted(raw[1::2])
            # the appearance's BBox is mapped onto the Rect (no /Matrix in ours): scale and move
            sx, sy = (rx1 - rx0) / ((bx1 - bx0) or 1), (ry1 - ry0) / ((by1 - by0) or 1)
            base = (sx, 0, 0, sy, rx0 - bx0 * sx, ry0 - by0 * sy)
            for box, image in _images(appearance, base):
                out.append({"field": str(field.get("/T", "")), "bbox": box,
                            "alpha": image.get("/SMask") is not None, "colour": _colour(image)})
    return out


def r44_problems(pdf: bytes) -> list[str]:
    """What breaks R44 in a letter signed by its signer and its organisation (empty when all is right)."""
    images = signature_images(pdf)
    blue = [i for i in images if i["colour"] == "blue"]
    red = [i for i in images if i["colour"] == "red"]
    problems = [f"Ảnh chữ ký số ({i['field']}) không phải PNG có nền trong suốt." for i in images if not i["alpha"]]
    if not blue:
        problems.append("Không có ảnh chữ ký màu xanh của người ký.")
    if not red:
        problems.append("Không có ảnh con dấu màu đỏ của cơ quan.")
    if blue and red:
        sig, seal = blue[0]["bbox"], red[0]["bbox"]
        width = sig[2] - sig[0]
        overlap = max(0.0, min(sig[2], seal[2]) - max(sig[0], seal[0])) / width if width else 0
        if not (seal[0] < sig[0]):
            problems.append("Con dấu phải nằm bên trái ảnh chữ ký.")
        if not 0.2 <= overlap <= 0.45:
            problems.append(f"Con dấu phải trùm khoảng 1/3 ảnh chữ ký bên trái (đang trùm {overlap:.0%}).")
    return problems


def overlap_ratio(pdf: bytes) -> float | None:
    images = signature_images(pdf)
    blue = [i["bbox"] for i in images if i["colour"] == "blue"]
    red = [i["bbox"] for i in images if i["colour"] == "red"]
    if not (blue and red):
        return None
    sig, seal = blue[0], red[0]
    return max(0.0, min(sig[2], seal[2]) - max(sig[0], seal[0])) / (sig[2] - sig[0])
