"""Glue and the Sphinx extension: what the book build itself uses."""
