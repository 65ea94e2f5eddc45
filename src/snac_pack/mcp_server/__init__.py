"""An MCP server through which an AI assistant sets up and runs a co-design study (docs/mcp.md).

The tools map onto the project's own library and ``KedroSession``: describing a data file,
proposing an environment for it (validated by ``snac_pack.config.parse_parameters``), running
pipelines, reading the search's study and the results. Like ``pipelines/``, it sits above the
library and imports Kedro; nothing in the library imports it.
"""
