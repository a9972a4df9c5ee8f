"""The search hit's fallback snippet: a window of words around the first word holding a query word."""

from booktutor.retrieval.search import make_snippet

WORDS = [f"w{i}" for i in range(60)]


def _text(at: int, word: str) -> str:
    return " ".join(word if i == at else w for i, w in enumerate(WORDS))


def test_window_opens_a_third_of_its_width_before_the_first_matching_word() -> None:
    snippet = make_snippet(_text(30, "Gyroscopes,"), "Why do gyroscope readings drift?", width=30)
    words = snippet.split()
    assert words[0] == "…" and words[-1] == "…"
    assert words[1] == "w20" and words[11] == "Gyroscopes,", "the word holding 'gyroscope', any case"
    assert len(words) == 32


def test_the_earliest_word_wins_whichever_query_word_it_holds() -> None:
    text = _text(20, "drifting").replace("w45", "GYRO-SCOPE")
    assert make_snippet(text, "gyro-scope drift", width=10).split()[1:4] == ["w17", "w18", "w19"]


def test_words_of_three_letters_or_fewer_are_not_looked_for() -> None:
    snippet = make_snippet(_text(40, "why"), "why do it", width=30)
    assert snippet.startswith("w0 w1") and snippet.endswith(" …")


def test_a_match_inside_a_word_and_odd_spacing() -> None:
    text = "alpha\u00a0beta\tgamma\n\nunderstatement delta"
    assert make_snippet(text, "STATE", width=3) == "… gamma understatement delta"
    assert make_snippet("short text", "nothing here", width=30) == "short text"
