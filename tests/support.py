"""What tests and their support modules share besides fixtures: the project's folders,
the shared clips, the console script, the isolated environment and the browser-on-
PostgreSQL rule. (pytest advises against importing conftest.py; fixtures live there,
plain values and functions here.)"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_MEDIA = ROOT.parent / "shared" / "media"
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODEL_CACHE = ROOT / ".venv" / "model-cache"
STUDIO = str(Path(sys.executable).with_name("studio"))  # the console script, for real processes
SHARED_CLIPS = ("guide_business_license", "guide_property_registration", "talk_legal_aid",
                "guide_social_security_card", "talk_law_enforcement")
HELDOUT = FIXTURES / "heldout"
# One copy of each held-out script (synthetic, never tuned on; see heldout/README.md):
# two accented, one noisy, one faster.
HELDOUT_CLIPS = ("pension_transfer_accent", "shop_opening_accent", "wage_dispute_noisy",
                 "street_vendor_fast")


def isolated_environ(instance: Path, database_url: str = "") -> dict[str, str]:
    """The process's environment without the developer's ``WULING_*`` settings, plus the
    instance folder ``instance``, the one model cache all tests share and, if given, the
    catalog ``database_url`` (else the instance folder's SQLite file)."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("WULING_")}
    environ.update(WULING_INSTANCE_PATH=str(instance), WULING_MODEL_CACHE=str(MODEL_CACHE))
    if database_url:
        environ["WULING_DATABASE_URL"] = database_url
    return environ


def skip_browser_on_postgresql(request) -> None:
    """Browser tests drive the same pages on either engine: they run on SQLite alone and
    the HTTP tests cover PostgreSQL, which keeps Chromium's minutes out of the second run."""
    if request.node.get_closest_marker("browser"):
        pytest.skip("browser tests run on SQLite only; the HTTP tests cover PostgreSQL")


def ctrl_c_works() -> None:
    """``preexec_fn`` for a process a test stops with SIGINT as Ctrl-C would: a shell
    running the tests in the background, and pytest-xdist's workers, ignore SIGINT, and
    a child inherits that, so Python would never raise KeyboardInterrupt in it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
