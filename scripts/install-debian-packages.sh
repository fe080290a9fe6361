#!/usr/bin/env bash
# Installs the Debian packages Rempart needs, only those missing (idempotent, quiet when done).
set -euo pipefail
PACKAGES=(
  tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng   # OCR of screenshots
  chromium                                            # end-to-end tests (Playwright)
  poppler-utils                                       # pdftoppm / pdftotext in document tests
  pkg-config ffmpeg libavdevice-dev libavfilter-dev libavformat-dev libavcodec-dev
  libavutil-dev libswresample-dev libswscale-dev      # vpdq builds against ffmpeg
  libheif-dev                                         # HEIC screenshots from iPhones
  libjemalloc2                                        # faiss runs 2-6x faster under jemalloc
  openssl                                             # test timestamp authority (openssl ts)
  fonts-dejavu-core                                   # Unicode font embedded in PDF documents
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
