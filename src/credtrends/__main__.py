"""``python -m credtrends`` runs the CLI."""

from credtrends.cli import main

main()
