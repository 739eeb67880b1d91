"""Every shell example of the docs runs as written: each fenced ``bash``, ``sh`` or ``console`` block of
``docs/*.md`` and ``README.md`` is run by bash (``-e -o pipefail``) against a served copy of the sample catalog,
in file order, and must exit 0 without an HTTP error answer.

What the examples may assume, and the test provides:

- the portal at ``http://127.0.0.1:8000`` (replaced by the served copy's free port);
- a scratch directory as the working directory, with the checkout's ``.venv`` and ``sample_data`` linked into it,
  ``odp`` and ``ckanapi`` on ``PATH``, and ``ODP_DATA_DIR``/``ODP_DATABASE_URL`` naming the served catalog;
- the placeholders the docs write as variables: ``$API_KEY`` (a key of an account holding a grant on the
  有条件开放 pollutant units; ``odp_…`` is the same key), ``$ORG_KEY`` (an organizer's key), ``$KEY`` and
  ``$MATE_KEY`` (two users' keys), ``$PASSWORD``; the files they name (``jtw-agreement.txt``); the account
  ``dev@example.org`` (with TOTP on).

A ``console`` block runs its ``$ `` lines. curl runs through a wrapper that reports each answer's status on
stderr: any status of 400 or more fails the block unless the comment just before it says so
(``<!-- expect HTTP 403: why -->``). A block that cannot run (it serves until stopped, needs a browser or another
site) has ``<!-- not run: why -->`` just before it; the reason is required, and most blocks must run.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from sqlmodel import Session

from catalog import db
from catalog.accounts import totp
from catalog.vocabulary import Role
from tests.support.accounts import PASSWORD, account, cheap_hashing, granted, new_key
from tests.support.catalog import ROOT, SampleCatalog, copy_catalog, release
from tests.support.servers import env_for, portal_server

pytestmark = pytest.mark.sqlite_only  # shell examples: the SQLite pass runs them once; PostgreSQL adds nothing

DOCUMENTS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
BASE = "http://127.0.0.1:8000"
KEY_PLACEHOLDER = "odp_…"
STATUS_MARK = "odp-docs-status"
BLOCK = re.compile(
    r"(?:<!--\s*(?P<marker>not run|expect HTTP)\s*(?P<codes>[0-9, ]*?)\s*:\s*(?P<reason>[^>]*?)\s*-->\s*\n)?"
    r"^(?P<indent>[ \t]*)```(?P<language>bash|sh|console)\n(?P<body>.*?)^[ \t]*```",
    re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Example:
    document: Path
    line: int
    language: str
    body: str
    skip_reason: str | None = None
    expected: frozenset[int] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    def script(self) -> str:
        if self.language != "console":
            return self.body
        return "".join(line[2:] + "\n" for line in self.body.splitlines() if line.startswith("$ "))


def examples() -> list[Example]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            indent = match["indent"]
            body = "".join(line.removeprefix(indent) + "\n" for line in match["body"].splitlines())
            marker, reason = match["marker"], match["reason"]
            codes = frozenset(int(code) for code in re.findall(r"\d{3}", match["codes"] or ""))
            found.append(Example(document, text.count("\n", 0, match.start("indent")) + 1, match["language"], body,
                                 skip_reason=reason if marker == "not run" else None, expected=codes))
    return found


EXAMPLES = examples()


def curl_wrapper(folder: Path) -> Path:
    """A ``curl`` that runs the real one and writes each answer's status to stderr."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapper = folder / "curl"
    wrapper.write_text(f"#!/bin/sh\nexec /usr/bin/curl -w '%{{stderr}}{STATUS_MARK} %{{http_code}}\\n' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return folder


@dataclass(frozen=True)
class ServedCatalog:
    url: str
    env: dict[str, str]
    key: str


@pytest.fixture(scope="module")
def served(sample_catalog: SampleCatalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCatalog]:
    root = tmp_path_factory.mktemp("docs-commands")
    with pytest.MonkeyPatch.context() as mp, copy_catalog(sample_catalog, root / "var") as settings:
        cheap_hashing(mp)
        settings = settings.model_copy(update={"password_time_cost": 1, "password_memory_kib": 64})
        with Session(db.get_engine(settings)) as session:
            analyst = account(session, settings, "analyst@example.org")
            granted(session, settings, analyst, "key-pollutant-discharge-units")
            key = new_key(session, settings, analyst)
            developer = account(session, settings, "dev@example.org")
            setup = totp.begin_setup(developer, settings)  # the lost phone of `odp users reset-totp`
            totp.enable(session, developer, setup.sealed, pyotp.TOTP(setup.secret).now(), settings)
            people = {variable: new_key(session, settings, account(session, settings, email, role))
                      for variable, email, role in (("ORG_KEY", "organizer@example.org", Role.organizer),
                                                    ("KEY", "captain@example.org", Role.user),
                                                    ("MATE_KEY", "mate@example.org", Role.user))}
            session.commit()
        env = env_for(settings.data_dir, settings.database_url) | {
            "ODP_PASSWORD_TIME_COST": "1", "ODP_PASSWORD_MEMORY_KIB": "64"}
        with portal_server(env) as url:
            env = env | {"ODP_PUBLIC_URL": url, "API_KEY": key, "PASSWORD": PASSWORD, **people,
                         "PATH": f"{curl_wrapper(root / 'bin')}{os.pathsep}{env['PATH']}"}
            yield ServedCatalog(url, env, key)
        release(settings, settings.database_url)


def scratch(folder: Path) -> Path:
    """A working directory that looks like the checkout to the examples."""
    for name in (".venv", "sample_data"):
        (folder / name).symlink_to(ROOT / name)
    (folder / "jtw-agreement.txt").write_text("数据使用协议：仅用于研究。\n", encoding="utf-8")
    return folder


def statuses(stderr: str) -> list[int]:
    return [int(code) for code in re.findall(rf"^{STATUS_MARK} (\d+)$", stderr, re.MULTILINE)]


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example_runs_as_written(example: Example, served: ServedCatalog, tmp_path: Path):
    if example.skip_reason is not None:
        pytest.skip(f"not run: {example.skip_reason}")
    script = example.script().replace(BASE, served.url).replace(KEY_PLACEHOLDER, served.key)
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=scratch(tmp_path), env=served.env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-3000:]}"
    errors = [code for code in statuses(done.stderr) if code >= 400 and code not in example.expected]
    assert not errors, f"HTTP errors {errors}\n{done.stderr[-3000:]}"
    if example.expected:  # what the marker says is still what happens
        assert example.expected <= set(statuses(done.stderr)), done.stderr[-3000:]


def test_most_examples_run(capsys):
    skipped = [example for example in EXAMPLES if example.skip_reason is not None]
    assert all(example.skip_reason.strip() for example in skipped)
    with capsys.disabled():
        print(f"\ndocs examples: {len(EXAMPLES) - len(skipped)} of {len(EXAMPLES)} run; not run: "
              + "; ".join(f"{example.name} ({example.skip_reason})" for example in skipped))
    assert len(EXAMPLES) >= 30 and len(skipped) * 4 <= len(EXAMPLES)


def test_the_markers_are_read():
    text = ("<!-- not run: serves until stopped -->\n```bash\nodp serve\n```\n\n"
            "<!-- expect HTTP 403: no key -->\n```sh\ncurl x\n```\n\n```console\n$ odp jobs\nout\n```\n")
    found = [(m["marker"], m["codes"], m["reason"], m["language"]) for m in BLOCK.finditer(text)]
    assert found == [("not run", "", "serves until stopped", "bash"), ("expect HTTP", "403", "no key", "sh"),
                     (None, None, None, "console")]
    console = Example(ROOT / "README.md", 1, "console", "$ odp jobs\nout\n")
    assert console.script() == "odp jobs\n"
    assert statuses(f"x\n{STATUS_MARK} 404\n{STATUS_MARK} 200\n") == [404, 200]
