"""Links between documents open inside Fenced (issue 14 item 3, issue 11 item 8): relative (`other.md`),
relative without an extension (`../installation/windows`), site-absolute (`/installation`, against the
folder's root or its `docs/`), each with its `#fragment`; in the same tab, with Back/Forward through the
documents read. A `#fragment` link in the document scrolls to its heading; a link to nothing in the folder
says so. Headings below the sticky header, never under it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.docs_tree import entry, open_tree
from tests.browser.files_support import drop_file

pytestmark = pytest.mark.browser


def link(page: Any, text: str) -> Any:
    return page.locator("#notebook .markdown-body a", has_text=text).first


def expect_shown(page: Any, panel: Any, path: str) -> None:
    expect(page.locator("#doc-name")).to_contain_text(path)
    expect(entry(panel, path)).to_have_attribute("aria-current", "true")
    expect(page.locator("#notebook")).to_have_attribute("data-view-state", "idle")


def heading_in_view(page: Any, heading_id_end: str) -> None:
    """The heading is scrolled to: inside the window, below the sticky header."""
    page.wait_for_function(
        """(end) => {
          const h = [...document.querySelectorAll('#notebook :is(h1,h2,h3,h4)[id]')].find(e => e.id.endsWith(end));
          if (!h) return false;
          const top = h.getBoundingClientRect().top;
          const header = document.querySelector('.app-header').getBoundingClientRect().bottom;
          return top >= header - 1 && top < innerHeight / 2;
        }""",
        arg=heading_id_end,
    )


def test_relative_extensionless_and_site_absolute_links_open_in_the_app(
    ready_page: Any, context: Any
) -> None:
    page = ready_page
    panel = open_tree(page)
    pages_before = len(context.pages)

    # Relative, in the same folder: kubernetes-the-hard-way's style.
    entry(panel, "docs/tutorials/kubernetes/index.md").click()
    expect_shown(page, panel, "docs/tutorials/kubernetes/index.md")
    link(page, "compute resources").click()
    expect_shown(page, panel, "docs/tutorials/kubernetes/03-compute-resources.md")

    # Site-absolute, as a static-site generator writes it: /installation is docs/installation/index.md.
    entry(panel, "docs/index.md").click()
    expect_shown(page, panel, "docs/index.md")
    link(page, "Installation").click()
    expect_shown(page, panel, "docs/installation/index.md")

    # Relative without an extension, climbing out of the folder and back in.
    link(page, "the Windows page").click()
    expect_shown(page, panel, "docs/installation/windows.md")

    # Back and Forward go through the documents read, in this tab; no tab was opened.
    page.go_back()
    expect_shown(page, panel, "docs/installation/index.md")
    page.go_back()
    expect_shown(page, panel, "docs/index.md")
    page.go_forward()
    expect_shown(page, panel, "docs/installation/index.md")
    assert len(context.pages) == pages_before
    assert page.url.rstrip("/").endswith(str(page.evaluate("location.host")))  # the address is the app's


def test_a_links_fragment_goes_to_its_heading(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    entry(panel, "docs/installation/index.md").click()
    expect_shown(page, panel, "docs/installation/index.md")
    link(page, "prerequisites").click()  # ./linux.md#prerequisites
    expect_shown(page, panel, "docs/installation/linux.md")
    heading_in_view(page, "prerequisites")

    entry(panel, "docs/index.md").click()
    expect_shown(page, panel, "docs/index.md")
    link(page, "Windows").click()  # installation/windows.md#install-with-winget
    expect_shown(page, panel, "docs/installation/windows.md")
    heading_in_view(page, "install-with-winget")

    # A #fragment link inside the document: to its heading, no new document.
    entry(panel, "docs/index.md").click()
    expect_shown(page, panel, "docs/index.md")
    page.evaluate("window.scrollTo(0, 0)")
    link(page, "overview").click()
    heading_in_view(page, "overview")
    expect(page.locator("#doc-name")).to_contain_text("docs/index.md")


def test_a_link_to_nothing_in_the_folder_says_so(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    entry(panel, "docs/installation/index.md").click()
    expect_shown(page, panel, "docs/installation/index.md")
    message = page.locator("[data-message-key='files-link']")
    link(page, "not there").click()  # /no-such-page
    expect(message).to_contain_text("/no-such-page is not in this folder (acme)")
    link(page, "this one").click()  # missing.md
    expect(message).to_contain_text("missing.md is not in this folder (acme)")
    expect(page.locator("#doc-name")).to_contain_text("docs/installation/index.md")  # still shown


def test_without_a_folder_a_link_says_to_open_its_folder(ready_page: Any, context: Any) -> None:
    page = ready_page
    pages_before = len(context.pages)
    drop_file(page, "guide.md", b"# Guide\n\nSee [other](other.md).\n")
    link(page, "other").click()
    expect(page.locator("[data-message-key='files-link']")).to_contain_text("Open folder")
    assert len(context.pages) == pages_before  # no tab opened on the app's host (a 404)
