"""``snac-pack-mcp``: start the MCP server of a project on stdio (docs/mcp.md)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send whatever is written to stdout meanwhile to stderr: stdout is the protocol's wire.

    Kedro logs to stdout as it is imported; once the server runs, the SDK's stdio transport
    diverts stdout itself.
    """
    sys.stdout.flush()
    wire = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(wire, 1)
        os.close(wire)


def main(argv: list[str] | None = None) -> None:
    """``snac-pack-mcp [--project PATH]``: serve the project over stdio until the client closes it."""
    parser = argparse.ArgumentParser(prog="snac-pack-mcp", description="MCP server of a snac-pack project (stdio transport)")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the project's root directory (default: the current directory)")
    arguments = parser.parse_args(argv)
    with _stdout_to_stderr():
        # Imported here, inside the diversion: importing Kedro may log to stdout.
        from snac_pack.mcp_server.project import Project
        from snac_pack.mcp_server.server import build_server

        try:
            project = Project.at(arguments.project)
        except ValueError as error:
            parser.error(str(error))
        server = build_server(project)
    server.run("stdio")
