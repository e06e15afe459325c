"""`python -m superset_plugins.translations`: rebuild messages.json and messages.mo from messages.po."""
import sys

from superset_plugins.translations import main

sys.exit(main(sys.argv[1:]))
