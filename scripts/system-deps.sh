#!/usr/bin/env bash
# Check the system packages a goal needs (run: the app; test: also the browser for UI tests).
# As root, install what is missing with apt-get; otherwise print the exact command and stop.
set -euo pipefail
goal="${1:-run}"
python="${PYTHON:-python3}"
missing=()

if ! command -v "$python" >/dev/null 2>&1; then
  missing+=(python3)
elif ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Cần Python 3.11 trở lên; máy này có $("$python" --version 2>&1)." >&2
  exit 1
elif ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi

# WeasyPrint prints the PDF letters with Pango; harfbuzz-subset keeps embedding the font fast.
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib "libpango-1.0.so.0" || missing+=(libpango-1.0-0)
have_lib "libpangoft2-1.0.so.0" || missing+=(libpangoft2-1.0-0)
have_lib "libharfbuzz-subset.so.0" || missing+=(libharfbuzz-subset0)

# Scans without a text layer are read by Tesseract with its Vietnamese model (app/importer/ocr.py).
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx vie || missing+=(tesseract-ocr-vie)

# `flask backup` on PostgreSQL copies the database with pg_dump and brings it back with pg_restore
if [[ "${DATABASE_URL:-}" == postgresql* || -n "${TEST_DATABASE_URL:-}" ]]; then
  command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 || missing+=(postgresql-client)
fi

if [ "$goal" = "test" ]; then
  # pdffonts / pdftoppm: to look at what the letters embed and how they print
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  # pdfsig (poppler-utils) is the second validator of the signed PDFs
  command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
  # certutil: a throwaway NSS database holding the demo CA, so pdfsig can check the chain too
  command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Liberation Serif" || missing+=(fonts-liberation2)
  # LibreOffice computes the Excel exports in the formula-injection test
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
  # ... and Writer exports a Word file to PDF for the importer's office-layout test
  [ -e /usr/lib/libreoffice/program/libswlo.so ] || missing+=(libreoffice-writer-nogui)
  # npm fetches axe-core for the accessibility checks of the browser tests
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài gói hệ thống còn thiếu: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $command
else
  echo "Thiếu gói hệ thống: ${missing[*]}. Chạy lệnh sau với quyền root rồi chạy lại:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi
