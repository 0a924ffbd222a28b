"""Where every benchmark finds the project and the five shared clips (``../shared/media``),
so a script names the clips the same way as the others."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT.parent / "shared" / "media"
CLIPS = ("guide_business_license", "guide_property_registration", "talk_legal_aid",
         "guide_social_security_card", "talk_law_enforcement")
