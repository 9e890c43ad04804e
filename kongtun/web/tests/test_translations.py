"""Thai is the default language, so every message must have a Thai translation."""

from __future__ import annotations

import ast
from pathlib import Path

PO = Path(__file__).resolve().parents[3] / "locale" / "th" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[list[str], str, str]]:
    """(flags, msgid, msgstr) for each entry; plural entries report msgstr[0]."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        flags: list[str] = []
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[key] += ast.literal_eval(line)
            else:
                key, _, rest = line.partition(" ")
                parts[key] = ast.literal_eval(rest)
        if parts.get("msgid"):
            entries.append((flags, parts["msgid"], parts.get("msgstr", parts.get("msgstr[0]", ""))))
    return entries


def test_every_message_is_translated_to_thai():
    entries = _entries()
    assert len(entries) > 300
    untranslated = [msgid for flags, msgid, msgstr in entries if not msgstr or "fuzzy" in flags]
    assert untranslated == []


def test_translations_keep_their_placeholders():
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]")
    broken = [
        msgid
        for _, msgid, msgstr in _entries()
        if sorted(pattern.findall(msgid)) != sorted(pattern.findall(msgstr))
    ]
    assert broken == []
