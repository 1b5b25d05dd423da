"""The ``gigcx`` command line: thin commands, each one unit of work calling the services."""
