"""Which variables are secret: name patterns, the frontmatter's `secrets`, an owl env spec (.env.example)."""

from __future__ import annotations

from fenced.document import loads
from fenced.document.secrets import ENV_SPEC_FILE, SecretNames, parse_env_spec, secret_names

SPEC = """\
# Supabase settings
JWT_SECRET=Secret to sign authed JWT tokens # Secret!
ANON_KEY=Secret to sign anonymous JWT tokens # Secret!
SERVICE_ROLE_KEY=JWT to assume the service role # JWT
POSTGRES_PASSWORD=Password for the postgres user # Password!
DASHBOARD_USERNAME=Username for the dashboard # Plain!
DB_HOST=Host name # Plain
STRIPE_CONN=Connection string # Secret
TOKEN_COUNT=How many tokens a request may use # Plain!
export OPAQUE_THING=Something # Opaque
SOME_OTHER_VAR=Needs a matching value # Regex(/^[a-z]+$/)
not a line
"""


def test_env_spec_lines_as_owl_reads_them() -> None:
    entries = {e.name: e for e in parse_env_spec(SPEC)}
    assert ENV_SPEC_FILE == ".env.example"
    assert entries["JWT_SECRET"].kind == "Secret" and entries["JWT_SECRET"].required
    assert entries["JWT_SECRET"].description == "Secret to sign authed JWT tokens"
    assert entries["STRIPE_CONN"].kind == "Secret" and not entries["STRIPE_CONN"].required
    assert entries["SOME_OTHER_VAR"].kind == "Regex"
    assert entries["OPAQUE_THING"].kind == "Opaque"
    assert {n for n, e in entries.items() if e.secret} == {
        "JWT_SECRET",
        "ANON_KEY",
        "SERVICE_ROLE_KEY",
        "POSTGRES_PASSWORD",
        "STRIPE_CONN",
    }


def test_names_by_pattern_spec_and_frontmatter() -> None:
    nb = loads("---\nsecrets: [DB_URL, 'VAULT_*']\n---\n\n```sh\necho hi\n```\n")
    names = secret_names(nb.frontmatter, SPEC)
    assert isinstance(names, SecretNames)
    assert names.is_secret("GITHUB_TOKEN")  # the name patterns
    assert names.is_secret("github_token") and names.is_secret("MY_PASSWORD_FILE")
    assert names.is_secret("STRIPE_CONN")  # the spec
    assert names.is_secret("DB_URL") and names.is_secret("VAULT_ADDR")  # the frontmatter (name or glob)
    assert not names.is_secret("DB_HOST") and not names.is_secret("HOME")
    assert not names.is_secret("TOKEN_COUNT")  # declared Plain in the spec: not a secret after all
    assert "DB_URL" in names.declared and "STRIPE_CONN" in names.declared
    assert names.problems == ()


def test_frontmatter_forms_and_problems() -> None:
    assert secret_names(loads("---\nsecrets: A_B, C_D\n---\n").frontmatter).is_secret("C_D")
    toml = loads('+++\nsecrets = ["X1"]\n+++\n').frontmatter
    assert secret_names(toml).is_secret("X1")
    bad = secret_names(loads("---\nsecrets: {a: 1}\n---\n").frontmatter)
    assert bad.problems and "secrets" in bad.problems[0]
    assert secret_names(None).is_secret("API_KEY") and not secret_names(None).is_secret("API")
