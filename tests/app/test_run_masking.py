"""Secrets masked by the page's run engine before anything shows them (issue 15): unit tests of
`fenced.app.run.masking` and the controller against a real runner (prompt answers, exported secrets,
a secret split across output events, the frontmatter's `secrets`)."""

from __future__ import annotations

import random

from fenced.app.run.masking import Masking
from fenced.document.redact import MASK, mask
from tests.app.test_run_controller import Page, cell, cells, controller, runner
from tests.runner.support import RunnerProcess, arun

__all__ = ["runner"]


def test_masking_any_chunking_gives_the_masking_of_the_whole() -> None:
    rng = random.Random(7)
    secret = "s3cr3t-value"
    data = f"a {secret} b {secret}{secret} c s3cr3t".encode()
    for _ in range(200):
        m = Masking()
        m.learn([secret, "no"])  # too short to mask: ignored
        cuts = sorted(rng.sample(range(1, len(data)), 5))
        out = b"".join(
            m.feed("run", "stdout", data[a:b]) for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)
        )
        out += b"".join(rest for _s, rest in m.flush("run"))
        assert out == mask(data, [secret])


def test_a_value_learnt_mid_stream_is_masked_in_what_was_held_and_after() -> None:
    m = Masking()
    assert m.feed("r", "stdout", b"plain ") == b"plain "  # nothing secret yet: passed through
    m.learn(["hunter22"])
    shown = m.feed("r", "stdout", b"x hunt")
    shown += m.feed("r", "stdout", b"er22 y")
    shown += b"".join(rest for _s, rest in m.flush("r"))
    assert shown == f"x {MASK} y".encode()
    assert m.text("say hunter22") == f"say {MASK}"


def test_answers_and_exported_secrets_are_masked_before_the_page_sees_them(runner: RunnerProcess) -> None:
    nb = cells(
        'ask: export DB_PASSWORD=\nprintf "%s" "${DB_PASSWORD%%-*}"; sleep 0.2; echo "-${DB_PASSWORD#*-}"',
        'mint: export API_TOKEN="$(printf \'tok-%s%s\' abc def9)"; export VAULT_ROLE="$(echo role-admin)"',
        'use: echo "$API_TOKEN|$VAULT_ROLE"',
        frontmatter='---\nsecrets: ["VAULT_*"]\n---\n',
    )
    page = Page({"DB_PASSWORD": "open-sesame42"})

    async def main() -> None:
        ctl = controller(runner, nb, page)
        for name in ("ask", "mint", "use"):
            run = await ctl.run_cell(cell(nb, name))
            assert run is not None and await run.done == 0

    arun(main())
    assert page.text("ask") == f"{MASK}\r\n"
    assert page.text("use") == f"{MASK}|{MASK}\r\n"  # VAULT_ROLE by the frontmatter's glob
