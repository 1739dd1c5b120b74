"""Bring an element in line with fresh markup without replacing it.

Replacing an element (`outerHTML = ...`) detaches the old one: the keyboard focus falls to `<body>`, a
hover or a screen reader's place is lost, and any reference a script holds points at nothing. Lists that
update entries while the user works in them (the folder tree's marks arrive in the background) patch the
element in place instead: same attributes, same children, nodes kept where they already match.
"""

from __future__ import annotations

from typing import Any

import js

ELEMENT = 1
TEXT = 3


def morph(el: Any, html: str) -> None:
    """Make `el` look like the single element `html` describes, keeping `el` (and matching children)."""
    template = js.document.createElement("template")
    template.innerHTML = html
    fresh = template.content.firstElementChild
    if fresh is None or fresh.tagName != el.tagName:
        el.replaceWith(template.content)
        return
    _sync(el, fresh)


def _sync(el: Any, fresh: Any) -> None:
    for name in [a.name for a in el.attributes]:
        if not fresh.hasAttribute(name):
            el.removeAttribute(name)
    for attr in fresh.attributes:
        if el.getAttribute(attr.name) != attr.value:
            el.setAttribute(attr.name, attr.value)
    old, new = list(el.childNodes), list(fresh.childNodes)
    if len(old) != len(new) or any(not _same_kind(a, b) for a, b in zip(old, new, strict=True)):
        el.replaceChildren(*new)
        return
    for a, b in zip(old, new, strict=True):
        if a.nodeType == ELEMENT:
            _sync(a, b)
        elif a.nodeValue != b.nodeValue:
            a.nodeValue = b.nodeValue


def _same_kind(a: Any, b: Any) -> bool:
    if a.nodeType != b.nodeType:
        return False
    return a.nodeType != ELEMENT or a.tagName == b.tagName
