"""Rebuild every artifact in models/ from public data: `python -m training [--data DIR]`."""
