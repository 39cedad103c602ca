"""Every text a resident or owner can be shown has its Spanish: each translatable string of the public templates
and of the Python modules behind the public pages.

The owner's own page said "Type", "Preferred contact", "Alternate contact" and "Notes for detectives" in English to
a Spanish-speaking owner, and the page for a failed audit entry (which a resident registering can meet) was English.
Strings are read as makemessages reads them (Django's templatize; for Python, the calls of gettext and its aliases), so
a new {% trans %} or _() without a translation fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation.template import templatize

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PUBLIC = [
    *sorted((TEMPLATES / "registrations").glob("*.html")),
    *sorted((TEMPLATES / "owners").glob("*.html")),
    *sorted((TEMPLATES / "errors").glob("*.html")),
    *(
        TEMPLATES / "footage" / name
        for name in ("answer.html", "answered.html", "confirm_link.html", "link_problem.html")
    ),
    *(path for path in sorted((TEMPLATES / "emails").glob("*")) if not path.name.startswith("audit_failure")),
    TEMPLATES / "base.html",
    TEMPLATES / "home.html",
    *sorted((TEMPLATES / "includes").glob("*.html")),
]
ROOT = TEMPLATES.parent
PUBLIC_PYTHON = [
    *sorted((ROOT / "registrations").glob("*.py")),
    *sorted((ROOT / "registrations" / "services").glob("*.py")),
    *sorted((ROOT / "owners").glob("*.py")),
    ROOT / "cameraregistry" / "converters.py",
]
SAME_IN_SPANISH = {"No"}
_GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
_CALL = re.compile(r"\b(n?p?gettext)\((.*?)\)\s")


def _strings(path: Path) -> set[str]:
    found = set()
    for call in _CALL.finditer(templatize(path.read_text(), origin=str(path))):
        try:
            arguments = ast.literal_eval(f"({call.group(2)},)")
        except (SyntaxError, ValueError):
            continue
        message = arguments[1] if call.group(1).startswith(("pgettext", "npgettext")) else arguments[0]
        if isinstance(message, str) and message.strip():
            found.add(message)
    return found


def _python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _GETTEXT:
            continue
        argument = node.args[1] if name.startswith("pgettext") and len(node.args) > 1 else node.args[0]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value.strip():
            found.add(argument.value)
    return found


def _without_spanish(strings: set[str]) -> list[str]:
    with translation.override("es"):
        return sorted(message for message in strings - SAME_IN_SPANISH if translation.gettext(message) == message)


@pytest.mark.parametrize(
    ("paths", "read", "at_least"), [(PUBLIC, _strings, 150), (PUBLIC_PYTHON, _python_strings, 100)], ids=["html", "py"]
)
def test_the_public_files_are_found_and_hold_strings(paths, read, at_least):
    assert all(path.exists() for path in paths)
    assert sum(len(read(path)) for path in paths) > at_least


@pytest.mark.parametrize("path", PUBLIC, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_each_string_of_a_public_template_has_its_spanish(path):
    missing = _without_spanish(_strings(path))
    assert not missing, f"{path.name} has no Spanish for: {missing}"


@pytest.mark.parametrize("path", PUBLIC_PYTHON, ids=lambda path: str(path.relative_to(ROOT)))
def test_each_string_of_a_public_module_has_its_spanish(path):
    missing = _without_spanish(_python_strings(path))
    assert not missing, f"{path.name} has no Spanish for: {missing}"
