"""`python -m booktutor.cli`."""

from booktutor.cli import app

app()
