"""One module per command group, named in ``studio.cli.COMMANDS`` and imported only when used."""
