"""The `nianbao` command: the one layer that imports both the auditor and the crawler.

Layers, outermost first (checked by import-linter, see pyproject.toml): nianbao → crawler → auditor.
"""
