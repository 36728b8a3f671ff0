"""The `cocanvas` command: serve, new, boards, snapshot, export, import, backup, restore,
migrate."""

from .main import main as main
