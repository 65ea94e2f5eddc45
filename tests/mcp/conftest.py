"""Fixtures of the MCP server's tests (``tests/mcp`` has no ``__init__.py``: it must not shadow the SDK's ``mcp``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """The SDK's client runs on asyncio."""
    return "asyncio"
