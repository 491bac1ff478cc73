"""Characters XML 1.0 cannot carry, found and removed before anything reaches a feed."""

from __future__ import annotations

import re

# C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (lxml refuses them)."""
    return ILLEGAL_XML.sub("", text) if ILLEGAL_XML.search(text) else text
