"""Debian's Chromium for the browser tests that start their own server (JupyterLab, the PDF).

Playwright drives /usr/bin/chromium; nothing here ever runs `playwright install`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("data", "about", "blob")


def require_chromium() -> None:
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install chromium`, "
            "or `make test` as root, which does it). Never `playwright install`."
        )


def launch(playwright):
    require_chromium()
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def block_external(page, origin: str, blocked: list[str]) -> None:
    """Abort (and record in ``blocked``) every request that does not go to ``origin``."""

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    # A regex is matched inside the browser driver, so local requests never wait for Python.
    schemes = "|".join(LOCAL_SCHEMES)
    page.route(re.compile(rf"^(?!{re.escape(origin)}/|(?:{schemes}):)"), block)
