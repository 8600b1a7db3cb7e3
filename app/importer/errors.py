"""The one error the importer raises: a Vietnamese sentence for the user, never a traceback."""


class ImportRefused(ValueError):
    """Input that cannot be imported (empty, binary, scanned PDF, too large, unsupported type...).

    `message` is shown as is on the web page and printed after "Lỗi:" on the command line.
    """

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class NeedsOcr(Exception):
    """A PDF without a text layer that OCR can read (Tesseract is there, the page count is allowed),
    raised instead of reading it when the caller asked for no OCR: the web import makes it a job."""

    def __init__(self, pages: int):
        super().__init__(pages)
        self.pages = pages
