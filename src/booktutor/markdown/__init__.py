"""Markdown/MDX primitives shared by ingest, rewriting, tutoring, retrieval and the site.

A leaf package: it imports nothing else from booktutor.
"""
