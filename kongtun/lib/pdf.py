"""Printable documents: render a Django template to PDF bytes with WeasyPrint.

Templates extend ``pdf/base.html``, which declares the committed Sarabun fonts with @font-face
(absolute file:// URLs, so printing works offline and never depends on the server's fonts) and
sets Thai-friendly defaults: lang="th" for word breaking, line heights tall enough for marks
above and below the line.

Rendering only reads local files and data: URIs. Anything else (http, ftp, files outside the
static folders) stops the rendering: a document that would fetch from the network is a bug, and
a PDF must never be able to embed a file from the server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

# SARA AM (ำ) and the tone mark before it, as HarfBuzz draws them: NIKHAHIT, tone, SARA AA.
_SARA_AM = re.compile("([\u0e48-\u0e4b]?)\u0e33")

FONT_DIR = Path(__file__).resolve().parent.parent / "web" / "static" / "fonts"
FONT_FILES = (
    "Sarabun-Regular.ttf",
    "Sarabun-Bold.ttf",
    "Sarabun-SemiBold.ttf",
    "Sarabun-Italic.ttf",
)


def font_dir_url() -> str:
    """The file:// URL of the font folder, ending in "/", after checking the fonts are there.

    WeasyPrint would silently fall back to whatever fonts the server has (often none with
    Thai glyphs), so a missing font is an error here rather than a PDF of empty boxes.
    """
    missing = [name for name in FONT_FILES if not (FONT_DIR / name).is_file()]
    if missing:
        raise ImproperlyConfigured(f"PDF fonts missing from {FONT_DIR}: {', '.join(missing)}")
    return FONT_DIR.as_uri() + "/"


def _allowed_roots() -> list[Path]:
    roots = [FONT_DIR.parent]
    for name in ("STATIC_ROOT", "MEDIA_ROOT"):
        value = getattr(settings, name, None)
        if value:
            roots.append(Path(value).resolve())
    return roots


def local_url_fetcher() -> Any:
    # Imported here: WeasyPrint takes about half a second to import, and most requests
    # never print anything.
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = _allowed_roots()

    class LocalOnlyFetcher(URLFetcher):
        """Fetch data: URIs and files under the static/media folders; refuse the rest."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise FatalURLFetchingError(f"PDF may not read {path}")
            elif parts.scheme != "data":
                raise FatalURLFetchingError(f"PDF may not fetch {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def thai_text_layer(text: str) -> str:
    """Spell SARA AM the way it is drawn, so the PDF's text layer reads back as written.

    HarfBuzz draws ำ as two glyphs, NIKHAHIT and SARA AA, moving NIKHAHIT before a tone mark
    (น้ำ is drawn น ํ ้ า). WeasyPrint maps each glyph to the text it first drew: the SARA AA
    glyph would then read back as "ำ" everywhere (การ → กำร) or the NIKHAHIT vanish. Giving
    HarfBuzz the decomposed order itself draws the same glyphs, each mapped to one character,
    so copying or searching the PDF gives ตําบล (= NFKC of ตำบล) and นํ้า instead of garbage.
    """
    return _SARA_AM.sub("\u0e4d\\1\u0e32", text)


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render `template_name` with `context` and return the PDF.

    The template sees `pdf_fonts` (the font folder's file:// URL) besides its own context.
    `base_url` resolves relative URLs in the template (images, stylesheets); by default they
    resolve against the static folder, so ``src="img/logo.png"`` means web/static/img/logo.png.
    """
    from weasyprint import HTML

    html: str = render_to_string(template_name, {**context, "pdf_fonts": font_dir_url()})
    # Only what is drawn: the <head> gives the PDF's title, which keeps the text as typed.
    body = max(html.find("<body"), 0)
    html = html[:body] + thai_text_layer(html[body:])
    document = HTML(
        string=html,
        base_url=base_url or FONT_DIR.parent.as_uri() + "/",
        url_fetcher=local_url_fetcher(),
    )
    pdf: bytes = document.write_pdf()
    return pdf
