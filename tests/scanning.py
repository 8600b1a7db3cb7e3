"""A letter as an office's scanner gives it: each page rasterised at 200 dpi, turned by a small
skew, with light noise and specks, saved as a PDF of images (no text layer). Seeded, so the same
letter always gives the same scan. Used by the OCR test and bench/ocr_accuracy.py."""
import io
import random


def scan(pdf: bytes, dpi: int = 200, skew: float | None = None, noise: float = 10.0, seed: int = 1) -> bytes:
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = random.Random(seed)
    generator = np.random.default_rng(seed)
    document = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for index in range(len(document)):
            image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            angle = skew if skew is not None else rng.uniform(-1.5, 1.5)
            image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
            pixels = np.asarray(image, dtype=np.float32)
            pixels = pixels + generator.normal(0, noise, pixels.shape)  # sensor noise
            specks = generator.random(pixels.shape) < 0.0008  # dust
            pixels[specks] = 40
            pixels = np.clip(pixels * 0.92 + 12, 0, 255)  # grey paper, not quite black ink
            pages.append(Image.fromarray(pixels.astype(np.uint8)))
    finally:
        document.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()
