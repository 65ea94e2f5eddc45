"""``python -m snac_pack.mcp_server`` starts the server (the same as ``snac-pack-mcp``)."""

from snac_pack.mcp_server.cli import main

if __name__ == "__main__":
    main()
