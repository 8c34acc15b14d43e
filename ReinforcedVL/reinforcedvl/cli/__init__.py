"""The ``reinforcedvl`` command line: one module per subcommand, each parsing arguments and making one call."""
