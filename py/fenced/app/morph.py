"""Bring elements in line with fresh markup without replacing them.

Replacing an element (`outerHTML = ...`, `innerHTML = ...`) detaches the old one: the keyboard focus falls
to `<body>`, a hover or a screen reader's place is lost, and any reference a script holds points at
nothing. Lists that change while the user works in them (the folder tree: its marks arrive in the
background, the disk changes under it) are patched in place instead: attributes and text set where they
differ, children matched by their key (`data-path`, `data-dir`) where they have one, else by position, so
an entry that is still there keeps its element, and only what changed is touched.
"""

from __future__ import annotations

from typing import Any

import js

from fenced.app.jsffi import opt

ELEMENT = 1
KEYS = ("data-path", "data-dir")


def morph(el: Any, html: str) -> None:
    """Make `el` look like the single element `html` describes, keeping `el` (and matching children)."""
    fresh = opt(_parse(html).firstElementChild)
    if fresh is None or fresh.tagName != el.tagName:
        el.replaceWith(_parse(html))
        return
    _sync(el, fresh)


def morph_children(el: Any, html: str) -> None:
    """Make `el`'s children those `html` describes, keeping the ones that match."""
    _sync_children(el, _parse(html))


def _parse(html: str) -> Any:
    template = js.document.createElement("template")
    template.innerHTML = html
    return template.content


def _key(node: Any) -> str | None:
    if node.nodeType != ELEMENT:
        return None
    for name in KEYS:
        if node.hasAttribute(name):  # (getAttribute's null is not None in Pyodide)
            return f"{node.tagName} {name}={node.getAttribute(name)}"
    return None


def _sync(el: Any, fresh: Any) -> None:
    for name in [a.name for a in el.attributes]:
        if not fresh.hasAttribute(name):
            el.removeAttribute(name)
    for attr in fresh.attributes:
        if el.getAttribute(attr.name) != attr.value:
            el.setAttribute(attr.name, attr.value)
    _sync_children(el, fresh)


def _sync_children(el: Any, fresh: Any) -> None:
    keyed: dict[str, Any] = {}
    unkeyed: list[Any] = []
    for node in list(el.childNodes):
        key = _key(node)
        if key is None:
            unkeyed.append(node)
        else:
            keyed[key] = node
    at = 0  # the position in `el` the next child goes to
    for new in list(fresh.childNodes):
        key = _key(new)
        match = keyed.pop(key, None) if key is not None else _next_of_kind(unkeyed, new)
        if match is None:
            node = new  # (moved out of `fresh`)
        else:
            node = match
            if match.nodeType == ELEMENT:
                _sync(match, new)
            elif match.nodeValue != new.nodeValue:
                match.nodeValue = new.nodeValue
        if at >= el.childNodes.length:
            el.appendChild(node)
        elif not el.childNodes.item(at).isSameNode(node):  # (a node in place is not moved: moving blurs it)
            el.insertBefore(node, el.childNodes.item(at))
        at += 1
    while el.childNodes.length > at:
        el.removeChild(el.lastChild)


def _next_of_kind(unkeyed: list[Any], new: Any) -> Any:
    """The first unmatched unkeyed old child of `new`'s kind (and tag), taken off the list."""
    for i, node in enumerate(unkeyed):
        if node.nodeType == new.nodeType and (node.nodeType != ELEMENT or node.tagName == new.tagName):
            return unkeyed.pop(i)
    return None
