"""axe-core in the page under test.

The copy in tests/e2e/vendor/axe-core/ is axe-core 4.14.1 from the npm registry
(`npm pack axe-core@4.14.1`, MPL-2.0, licence beside it; sha256 of axe.min.js in
tests/e2e/vendor/axe-core/SHA256SUMS). It is evaluated through the DevTools
protocol (page.evaluate), which the page's Content Security Policy does not
govern: the site's CSP stays as strict for this run as in production.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor" / "axe-core"
BLOCKING = ("critical", "serious")


@cache
def source() -> str:
    return (VENDOR / "axe.min.js").read_text()


def violations(page, impacts=BLOCKING) -> list[dict]:
    """axe's violations on the page as it is now, limited to the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source())
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in impacts]
