"""carboncred-audit BASE_URL --state FILE [--mirror] [--certificate PUBLIC_ID] ...

Exit 0: the log is consistent (and, with --mirror / --certificate, the entries and certificates too).
Exit 1: the log is inconsistent, rewritten or wrongly signed; the reason is printed.
Exit 2: usage error, or the registry could not be reached or answered with an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from carboncred_auditor import __version__
from carboncred_auditor.audit import Audit, Options
from carboncred_auditor.errors import CheckError, LogFailure

EXIT_OK, EXIT_INCONSISTENT, EXIT_ERROR = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="carboncred-audit",
        description="Check a CarbonCred registry's public ledger from outside: the signed checkpoint, that it "
        "extends the one pinned in the state file, and optionally every entry and some certificates.",
        epilog="Exit status: 0 consistent; 1 inconsistent, rewritten or wrongly signed (reason printed); "
        "2 usage or network error.",
    )
    p.add_argument("base_url", metavar="BASE_URL", help="the registry's address, e.g. https://registry.example")
    p.add_argument("--state", required=True, type=Path, metavar="FILE", help="where the pinned checkpoint is kept")
    p.add_argument("--mirror", action="store_true", help="also fetch and re-hash every ledger entry")
    p.add_argument(
        "--certificate",
        action="append",
        default=[],
        metavar="PUBLIC_ID",
        help="also verify this retirement certificate's inclusion in the signed log (repeatable)",
    )
    p.add_argument("--key", metavar="VERIFIER_KEY", help="the registry's key as obtained from a channel you trust")
    p.add_argument(
        "--accept-key-change",
        action="store_true",
        help="trust the registry's newly published key instead of the pinned one (after a rotation you confirmed)",
    )
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default 30)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)  # exits 2 on a usage error
    try:
        Audit(
            Options(
                base_url=options.base_url,
                state_file=options.state,
                mirror=options.mirror,
                certificates=options.certificate,
                accept_key_change=options.accept_key_change,
                expected_key=options.key,
                timeout=options.timeout,
            ),
            say=lambda line: print(line, flush=True),
        ).run()
    except LogFailure as failure:
        print(f"INCONSISTENT: {failure}", file=sys.stderr)
        return EXIT_INCONSISTENT
    except CheckError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
