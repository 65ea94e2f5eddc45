"""The one error a tool raises for a bad argument: the client reads it, naming the argument."""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError


class ArgumentError(ToolError):
    """An argument the tool cannot accept; the message starts with the argument's name.

    The SDK returns it as the tool's error result (``isError``), without a traceback.
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"argument '{argument}': {message}")
        self.argument = argument
