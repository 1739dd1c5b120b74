"""A real-looking documentation repository, built by the tests (never a copy of a real one): nested folders,
nine files named index.md, relative and site-absolute links (as static-site generators write them), an
MDX page, sample-output blocks, images, and runnable cells. Written into OPFS, where the stubbed folder
picker finds it (tests/browser/files_support.py).
"""

from __future__ import annotations

import base64
from typing import Any

from tests.browser.files_support import opfs_write, stub_folder_picker
from tests.browser.view_support import header_action

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)

ROOT_README = """# Acme CLI

Acme is a command line tool. Start with the [docs](docs/index.md) or jump to
[configuration](docs/guide/index.md#configure-the-cli).

![logo](docs/img/logo.png)

```sh {"name":"build"}
echo building acme
```
"""

DOCS_INDEX = """---
title: Welcome
---

# Welcome

Read [Installation](/installation) first, then the [guide](./guide/index.md).
Windows users: see [Windows](installation/windows.md#install-with-winget).
Questions? [Ask us](https://example.com/community). In short: the [overview](#overview).

## Overview

Acme does things.

```sh {"name":"version"}
acme --version
```
"""

INSTALL_INDEX = """# Installation

On Windows go to [the Windows page](../installation/windows), on Linux see
[prerequisites](./linux.md#prerequisites). Next: [Getting started](/getting-started).
This page is [not there](/no-such-page) and neither is [this one](missing.md).

![diagram](../img/diagram.png)

```bash
curl -fsSL https://example.com/install.sh | sh
```

```text
Installed acme 1.2.3
```
"""

WINDOWS = """# Windows

## Install with winget

```powershell
winget install acme
```

## Install with scoop

```sh
scoop install acme
```
"""

LINUX = """# Linux

## Prerequisites

You need `curl`.

## Notes

First notes.

## Notes

Second notes (a duplicate heading: its anchor is `notes-1`).

```sh {"name":"check-curl"}
command -v curl
```
"""

GETTING_STARTED = """# Getting started

Back to [the docs](../index.md).

```sh {"name":"init"}
acme init
```

```{"name":"second"}
echo unnamed language
```

```sh
{
  "json": "a cell whose first line is a brace"
}
```

```output
Created acme.yaml
```
"""

GUIDE_INDEX = """# Guide

## Configure the CLI

Set `ACME_HOME`.

```sh {"name":"configure"}
export ACME_HOME=$HOME/.acme
```

See also the [advanced guide](advanced/index.md) and the [CLI reference](/reference/cli).
"""

ADVANCED = """# Advanced

Plugins, hooks and more. [Up](../index.md).

![plugin screenshot](img/plugins.png)

```sh {"name":"plugins"}
acme plugins list
```
"""

REFERENCE = """# Reference

[CLI](cli/index.md)
"""

CLI = """# CLI reference

```console
$ acme --help
usage: acme [options]
```

```plaintext
exit codes: 0 ok, 1 error
```
"""

TUTORIALS = """# Tutorials

1. [Kubernetes the acme way](kubernetes/index.md)
"""

KUBE_INDEX = """# Kubernetes

Next: [compute resources](03-compute-resources.md).

```sh {"name":"kubectl-version"}
kubectl version --client
```
"""

COMPUTE = """# Compute Resources

Provision the machines.

```sh {"name":"compute"}
echo provisioning
```

Then read [certificates](04-certificates.mdx).
"""

CERTS_MDX = """import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';

# Certificates

<Tabs>
<TabItem value="linux">

```sh {"name":"certs"}
echo certs
```

</TabItem>
</Tabs>
"""

BLOG = """# Release 1.2

We shipped [installation](/installation) improvements.
"""

# Path -> content. Nine files are called index.md.
TREE: dict[str, str | bytes] = {
    "README.md": ROOT_README,
    "docs/index.md": DOCS_INDEX,
    "docs/installation/index.md": INSTALL_INDEX,
    "docs/installation/windows.md": WINDOWS,
    "docs/installation/linux.md": LINUX,
    "docs/getting-started/index.md": GETTING_STARTED,
    "docs/guide/index.md": GUIDE_INDEX,
    "docs/guide/advanced/index.md": ADVANCED,
    "docs/reference/index.md": REFERENCE,
    "docs/reference/cli/index.md": CLI,
    "docs/tutorials/index.md": TUTORIALS,
    "docs/tutorials/kubernetes/index.md": KUBE_INDEX,
    "docs/tutorials/kubernetes/03-compute-resources.md": COMPUTE,
    "docs/tutorials/kubernetes/04-certificates.mdx": CERTS_MDX,
    "docs/img/logo.png": PNG_1PX,
    "docs/img/diagram.png": PNG_1PX,
    "blog/2024-release.md": BLOG,
    "node_modules/dep/README.md": "# not listed\n",
}
MARKDOWN_PATHS = sorted(p for p in TREE if p.endswith((".md", ".mdx")) and not p.startswith("node_modules"))
assert sum(p.endswith("/index.md") for p in TREE) == 9


def write_tree(page: Any, root: str = "acme", tree: dict[str, str | bytes] | None = None) -> None:
    """Write the tree under OPFS `root/` and make the folder picker return it."""
    for path, content in (tree or TREE).items():
        data = content.encode() if isinstance(content, str) else content
        opfs_write(page, f"{root}/{path}", data)
    stub_folder_picker(page, root)


def open_tree(page: Any, root: str = "acme") -> Any:
    """Write the tree, click "Open folder", wait for the panel's entries; returns the Folder panel."""
    write_tree(page, root)
    header_action(page, "Open folder")
    panel = page.get_by_role("complementary", name="Folder")
    panel.locator("[data-path='docs/index.md']").wait_for(state="attached")
    return panel


def entry(panel: Any, path: str) -> Any:
    """A file's entry in the Folder panel, by its accessible name (its path in the folder)."""
    return panel.get_by_role("treeitem", name=path, exact=True)
