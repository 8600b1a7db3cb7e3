"""Keys, certificates and images for signing.

- Private keys at rest: PKCS#8 DER encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key
  derived by HKDF-SHA256 from SIGNING_KEY_SECRET, or from SECRET_KEY when that is not set. Changing
  the secret makes the stored keys unreadable (they are refused with a message, never used).
- The demo CA: a self-signed root made offline with `cryptography`, stored as a trust root, issuing
  one certificate per leader (personal) and per organisation (its seal). Labelled as a demo: it has
  no legal value (a real deployment imports certificates from a licensed CA such as the Ban Cơ yếu
  Chính phủ's).
- The demo images: a blue handwritten-like signature and a red round seal, PNG with alpha, drawn
  with Pillow; the seal at its true size (36 mm)."""
import base64
import hashlib
import math
import random
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from flask import current_app
from PIL import Image, ImageDraw, ImageFont

from app.clock import utcnow

FONT = Path(__file__).resolve().parent.parent / "documents" / "fonts" / "LiberationSerif-Bold.ttf"
SIGNATURE_WIDTH_MM = 40.0
SEAL_WIDTH_MM = 36.0
# demo certificates start a year back, so a validator on another clock (pdfsig in the tests, whose
# clock is not pinned) still finds them in force
BACKDATE = timedelta(days=366)
DEMO_CA_NAME = "CA thử nghiệm Theo dõi chỉ đạo (demo)"  # no legal value


class KeyError_(Exception):
    """A stored key cannot be used, with a Vietnamese message."""


def _fernet() -> Fernet:
    secret = current_app.config.get("SIGNING_KEY_SECRET") or current_app.config["SECRET_KEY"]
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"chidao-signing-keys", info=b"fernet").derive(
        secret.encode() if isinstance(secret, str) else secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_key(private_key) -> str:
    der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return _fernet().encrypt(der).decode("ascii")


def decrypt_key_der(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except InvalidToken as error:
        raise KeyError_("Không giải mã được khóa bí mật đã lưu (khóa mã hóa SIGNING_KEY_SECRET/SECRET_KEY "
                        "đã thay đổi?). Cần cấp lại chứng thư số.") from error


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _cut(text: str, limit: int = 64) -> str:
    """X.509 names hold at most 64 characters, counted by cryptography in UTF-8 bytes."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(organisation)))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, _cut(common_name)))
    return x509.Name(parts)


def make_root(name: str = DEMO_CA_NAME, years: int = 20):
    """A self-signed root CA: (certificate, private key)."""
    key = new_key()
    subject = _name(name, "Theo dõi chỉ đạo (demo)")
    now = utcnow()
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def issue_certificate(ca_certificate, ca_key, common_name: str, organisation: str, years: int = 10):
    """A signing certificate (digital signature + non-repudiation) issued by the CA."""
    key = new_key()
    now = utcnow()
    certificate = (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation))
        .issuer_name(ca_certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return certificate, key


# --- images -------------------------------------------------------------------------------------

DPI = 300
_PX_PER_MM = DPI / 25.4


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def signature_image(name: str) -> bytes:
    """A blue scribble that reads as a handwritten signature, transparent background, 40 × 16 mm."""
    width, height = int(SIGNATURE_WIDTH_MM * _PX_PER_MM), int(16 * _PX_PER_MM)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    rng = random.Random(name)  # the same person always gets the same scribble
    blue = (20, 40, 170, 255)
    cycles, phase, loops = 2 + rng.random() * 1.5, rng.random() * math.pi, 3 + rng.randrange(3)
    points = []
    for i in range(240):
        t = i / 239
        # a slanted line of loops drifting down to the right, like a quick signature
        x = width * (0.08 + 0.8 * t) + width * 0.05 * math.cos(t * loops * 2 * math.pi + phase)
        y = height * (0.45 + 0.25 * math.sin(t * cycles * math.pi + phase) * (1 - 0.5 * t)
                      + 0.18 * math.sin(t * loops * 2 * math.pi + phase))
        points.append((x, y))
    draw.line(points, fill=blue, width=7, joint="curve")
    draw.line([(width * 0.1, height * 0.8), (width * 0.92, height * 0.62)], fill=blue, width=5)
    return _png(image)


def seal_image(organisation: str) -> bytes:
    """A red round seal: two rings, the organisation's name around, a star in the middle. 36 mm."""
    size = int(SEAL_WIDTH_MM * _PX_PER_MM)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (215, 25, 32, 235)
    c = size / 2
    draw.ellipse([6, 6, size - 6, size - 6], outline=red, width=12)
    draw.ellipse([size * 0.2, size * 0.2, size * 0.8, size * 0.8], outline=red, width=6)
    star = [(c + (size * 0.16 if k % 2 == 0 else size * 0.065) * math.cos(math.pi / 2 + k * math.pi / 5),
             c - (size * 0.16 if k % 2 == 0 else size * 0.065) * math.sin(math.pi / 2 + k * math.pi / 5))
            for k in range(10)]
    draw.polygon(star, fill=red)
    text = organisation.upper()
    font = ImageFont.truetype(str(FONT), int(size * 0.08))
    radius = size * 0.39
    span = min(1.8 * math.pi, len(text) * 0.2)
    for index, char in enumerate(text):
        angle = math.pi / 2 + span / 2 - span * (index + 0.5) / len(text)  # clockwise along the top
        glyph = Image.new("RGBA", (int(size * 0.1), int(size * 0.1)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(math.degrees(angle - math.pi / 2), resample=Image.BICUBIC)
        x, y = c + radius * math.cos(angle), c - radius * math.sin(angle)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    return _png(image)


def check_image(data: bytes, colour: str) -> str | None:
    """None when the PNG has an alpha channel and is predominantly `colour` ("blue" or "red")."""
    try:
        image = Image.open(BytesIO(data))
        image.load()
    except Exception:
        return "Tệp ảnh không đọc được."
    if image.format != "PNG" or "A" not in image.getbands():
        return "Ảnh phải là PNG có nền trong suốt (kênh alpha)."
    if dominant_colour(image) != colour:
        return "Ảnh chữ ký phải màu xanh." if colour == "blue" else "Ảnh con dấu phải màu đỏ."
    return None


def dominant_colour(image: Image.Image) -> str:
    """"red", "blue" or "other": the colour of the opaque pixels, by channel sums."""
    rgba = image.convert("RGBA").resize((64, 64))
    r = g = b = 0
    pixels = rgba.tobytes()  # RGBA bytes, four per pixel (getdata() is deprecated in Pillow 13)
    for index in range(0, len(pixels), 4):
        pr, pg, pb, pa = pixels[index:index + 4]
        if pa > 64:
            r, g, b = r + pr, g + pg, b + pb
    if r > 1.5 * max(g, b):
        return "red"
    if b > 1.5 * max(r, g):
        return "blue"
    return "other"
