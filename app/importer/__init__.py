"""Importing an existing directive (text, Markdown, DOCX, PDF with a text layer) into the directive format.

parser.py, agencies.py, deadlines.py, cleanup.py, legacy.py: pure functions, no Flask.
readers.py: files to text. resolve.py, service.py: the directory and saving (need the app).
views.py: the "Nhập từ văn bản" page (blueprint `importer`); cli.py: `flask directive import`.
"""
