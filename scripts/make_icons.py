"""Render static/favicon.svg to the PNG app icons (run once after editing the SVG).

.venv/bin/python scripts/make_icons.py
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}


def main() -> None:
    svg = (ROOT / "static" / "favicon.svg").read_text()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, size in SIZES.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(
                f"<html><body style='margin:0;background:#1d1b18'>"
                f"<div style='width:{size}px;height:{size}px'>{svg}</div></body></html>"
            )
            page.locator("svg").evaluate("s => { s.style.width = s.style.height = '100%'; }")
            page.screenshot(path=str(ROOT / "static" / "icons" / name))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
