"""A titled JSX block (`<Activity number={3} title="Echo a datagram">` … `</Activity>`), one that wraps a list
(`<Objectives>` then "- Describe …"), or a bold title line that introduces a list ("**Learning objectives**" then
"- Compute …"), as a section heading.

Course books built with MDX often wrap an activity, an exercise or a case study in a component of their own
rather than a heading. Once its tags are stripped its title would be lost and its text would run on as part of
the section above, so it opens a section of its own at the level of the heading above it ("Activity 3: Echo a
datagram", the component's name said before its number and title, as an admonition's kind is). `<Admonition>`
is the JSX form of `:::note Title` and stays an aside, its title a bold lead-in as that one's is.

A page that opens, before its first section, with a line that is only a short bold title ("**Learning
objectives**") and a list (not of questions: that label is a quiz's, markdown.knowledge_checks) opens with a
section of that name, as it would with the component: the lesson's objectives or prerequisites are found and
cited under their name. Within a section its heading already says what the list is about, and the bold line stays
the list's lead-in label (extractive.text).
"""

from __future__ import annotations

import re

from booktutor.markdown.fences import iter_fence_flags

_OPEN = re.compile(r"^[ \t]*<(?P<name>[A-Z][\w]*)(?P<attrs>\s[^<>]*?)?>[ \t]*$")
_TITLE = re.compile(r"""\btitle\s*=\s*(?:"(?P<a>[^"]*)"|'(?P<b>[^']*)'|\{\s*(?P<q>["'`])(?P<c>.*?)(?P=q)\s*\})""")
_NUMBER = re.compile(r"""\bnumber\s*=\s*(?:\{\s*["']?|["'])(?P<n>\d+(?:\.\d+)*)""")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
_HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})\s")
_BOLD_TITLE = re.compile(r"^ {0,3}(?:\*\*|__)(?P<title>[^*_\n]{1,60}?)[:：]?(?:\*\*|__)[:：]?\s*$")
MAX_TITLE_WORDS = 6
"""A bold line that titles a list is a few words ("Learning objectives"), not a sentence."""
_ASIDE = "Admonition"
_TYPE = re.compile(r"""\btype\s*=\s*["'](?P<type>[\w-]+)["']""")
MIN_LEVEL = 2


def component_headings(body: str) -> str:
    """The page with each titled JSX block's opening tag replaced by a heading (its closing tag is left to be
    stripped with the other tags); fenced code untouched."""
    lines = body.split("\n")
    out: list[str] = []
    level = MIN_LEVEL
    opening = True  # no section has begun: a bold title line may open one
    last_close = {line.strip(): index for index, line in enumerate(lines) if line.strip().startswith("</")}
    for index, (line, fenced) in enumerate(iter_fence_flags(lines)):
        if fenced:
            out.append(line)
            continue
        if heading := _HEADING.match(line):
            level = max(len(heading["level"]), MIN_LEVEL)
            opening = opening and len(heading["level"]) == 1  # the page's title heading begins no section
        if opening and (title := _bold_title(line, lines[index + 1 :])):
            out += ["", f"{'#' * MIN_LEVEL} {title}", ""]
            continue
        label = _label(line) or _list_label(line, lines[index + 1 :])
        if not label or last_close.get(f"</{label[0]}>", -1) < index:
            out.append(line)
        elif label[0] == _ASIDE:
            out += [line, f"**{label[1]}**", ""]
        else:
            out += ["", f"{'#' * level} {label[1]}", ""]
    return "\n".join(out)


def _list_label(line: str, after: list[str]) -> tuple[str, str] | None:
    """(component name, its name as words) when the line opens a block component with no attributes that wraps
    a list (`<Objectives>` then "- Describe …"): the component names the list, as a heading would."""
    tag = _OPEN.match(line)
    if not tag or tag["attrs"] or tag["name"] == _ASIDE:
        return None
    first = next((text for text in after if text.strip()), "")
    return (tag["name"], _words(tag["name"])) if _LIST_ITEM.match(first) else None


def _bold_title(line: str, after: list[str]) -> str | None:
    """The title of a line that is only a short bold phrase ("**Learning objectives**") followed by a list."""
    found = _BOLD_TITLE.match(line)
    if not found:
        return None
    title = found["title"].strip()
    if not title or len(title.split()) > MAX_TITLE_WORDS or title[-1] in ".?!":
        return None
    first = next((text for text in after if text.strip()), "").rstrip()
    return title if _LIST_ITEM.match(first) and not first.endswith("?") else None


def _words(name: str) -> str:
    """A component's name as words: "KeyTakeaways" is "Key takeaways"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize()


def _label(line: str) -> tuple[str, str] | None:
    """(component name, heading text) when the line opens a titled block component, else None."""
    tag = _OPEN.match(line)
    if not tag or not (found := _TITLE.search(tag["attrs"] or "")):
        return None
    title = " ".join((found["a"] or found["b"] or found["c"] or "").split())
    if not title:
        return None
    if tag["name"] == _ASIDE:  # rendered as `:::info Title` is (mdx._render_admonition)
        kind = aside["type"] if (aside := _TYPE.search(tag["attrs"] or "")) else "note"
        return _ASIDE, f"{kind.replace('-', ' ').capitalize()}: {title}"
    kind = _words(tag["name"])
    number = found_number["n"] if (found_number := _NUMBER.search(tag["attrs"] or "")) else ""
    lead = f"{kind} {number}".strip()
    if not number and kind.lower() in title.lower():
        return tag["name"], title
    return tag["name"], f"{lead}: {title}"
