"""Chapter and text translation: stored human translations first, then checked machine ones."""
