"""`make bench` rewrites the generated blocks of docs/benchmarks.md and keeps the hand-written notes."""

from benchmarks._doc_blocks import merge

DOC = """# Benchmarks

Hand-written intro.

<!-- bench:search_latency -->
## Search
old search table
<!-- /bench:search_latency -->

Notes about search, written by hand.

<!-- bench:load_test -->
## Load test
old load table
<!-- /bench:load_test -->

Appendix by hand.
"""


def test_only_the_blocks_with_new_text_are_rewritten():
    merged = merge(DOC, {"load_test": "## Load test\nnew load table\n"})

    assert "new load table" in merged and "old load table" not in merged
    assert "old search table" in merged
    for note in ("Hand-written intro.", "Notes about search, written by hand.", "Appendix by hand."):
        assert note in merged
    assert merge(merged, {"load_test": "## Load test\nnew load table\n"}) == merged


def test_a_block_the_document_lacks_is_appended_at_the_end():
    merged = merge(DOC, {"stream_latency": "## Streams\nnew"})

    assert merged.endswith(
        "Appendix by hand.\n\n<!-- bench:stream_latency -->\n## Streams\nnew\n<!-- /bench:stream_latency -->\n"
    )
    assert merged.startswith(DOC.rstrip("\n"))
