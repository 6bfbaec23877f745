"""The command line, `python -m monitoring ...`: `main` (init, import, history, undo,
contract) and `access` (user, share, first-start). May import every other part of the core."""
