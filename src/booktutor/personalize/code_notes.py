"""A "Reading the code" note after each code listing, for readers new to code (offline adaptation).

Everything in a note is read from the listing itself: the file it is (a `title="…"` fence attribute or a
file-name comment on its first line), what it imports, the classes and functions it defines with their
docstrings or the comment right above them, else the comments that walk through it (or a YAML file's
top-level keys). A listing that says none of this gets no note: a note never guesses what code does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from booktutor.markdown.fences import iter_fence_flags

READING_TITLE = "Reading the code"
MAX_NOTES = 8
MAX_NAMES = 5
MAX_MEMBERS = 6
MAX_COMMENTS = 5
MAX_DOC_WORDS = 20
_FENCE_INFO = re.compile(r"^(`{3,}|~{3,})\s*([\w+#-]*)(.*)$")
_TITLE_ATTR = re.compile(r"""title=["']([^"']+)["']""")
_FILE_COMMENT = re.compile(
    r"^\s*(?:#|//|--|;|/\*|<!--)\s*(?:file(?:name)?:\s*)?([\w./-]+\.[A-Za-z]{1,5})\s*(?:\*/|-->)?\s*$"
)
_DEFINITION = re.compile(
    r"^(?P<indent>\s*)(?:(?:export|default|public|private|protected|internal|static|abstract|sealed|partial|final|"
    r"async|pub(?:\(\w+\))?)\s+)*"
    r"(?P<kind>def|class|struct|function|fn|func|interface|enum|trait)\s+(?P<name>[A-Za-z_]\w*)"
)
_C_FUNCTION = re.compile(
    r"^(?P<indent>\s*)(?:(?:static|virtual|inline|const|unsigned|explicit|public|private|protected)\s+)*"
    r"(?P<type>[A-Za-z_][\w:<>,]*)[\s*&]+"
    r"(?P<name>[A-Za-z_]\w*)\s*\([^;]*\)\s*(?:const\s*)?(?:override\s*)?\{?\s*$"
)
_NOT_A_NAME = frozenset({"if", "for", "while", "switch", "return", "catch", "else", "sizeof", "new", "delete", "throw"})
_C_LIKE = frozenset({"c", "cpp", "c++", "cc", "h", "hpp", "java", "cs", "csharp", "arduino", "ino", "cuda", "kotlin"})
_IMPORT = re.compile(
    r"^\s*(?:import\s+([\w.]+)|from\s+([\w.]+)\s+import\b|#include\s*[<\"]([^>\"]+)[>\"]|"
    r"(?:import|const|let|var)\s.*?(?:from\s+|require\()['\"]([^'\"]+)['\"]|use\s+([\w:]+)|using\s+([\w.]+)\s*;)"
)
_COMMENT = re.compile(r"^\s*(?:#(?![!\[])|//+|--\s|/\*+|\*(?!/))\s*(?P<text>.*?)\s*(?:\*/)?\s*$")
_DOCSTRING = re.compile(r'^\s*[rbuRBU]?("""|\'\'\')\s*(?P<text>.*?)\s*(?:\1)?\s*$')
_YAML_KEY = re.compile(r"^([A-Za-z_][\w-]*):(?:\s|$)")
_COMMENTED_CODE = re.compile(r"[=;{}]|^[\w.]+\(|\)$|^(import|from|return|print)\b")
_SKIPPED_LANGUAGES = frozenset({"mermaid", "quiz", "text", "txt", "plaintext", "math", "", "output", "console"})
_SHELL = frozenset({"bash", "sh", "shell", "zsh", "powershell", "ps1", "cmd", "bat"})  # comment, command: read as is
_YAML = frozenset({"yaml", "yml"})
_LANGUAGE_NAMES = {"cpp": "C++", "c++": "C++", "csharp": "C#", "cs": "C#", "js": "JavaScript", "ts": "TypeScript"}
_BOX_OPEN = re.compile(r"^\s*:{3,}\S|^\s*<details\b", re.IGNORECASE)
_BOX_CLOSE = re.compile(r"^\s*:{3,}\s*$|^\s*</details\s*>", re.IGNORECASE)


@dataclass
class Name:
    kind: str
    name: str
    doc: str
    members: list[tuple[str, str]] = field(default_factory=list)  # (method, doc)


@dataclass(frozen=True)
class Listing:
    end: int  # index of the closing fence line
    language: str
    title: str  # the `title="…"` attribute, if any
    code: list[str]


def add_code_notes(body: str) -> str:
    """After each top-level code listing that says what it defines or does, a "Reading the code" note."""
    lines = body.split("\n")
    inserts = []
    for listing in listings(lines):
        note = reading_note(listing)
        if note:
            after = listing.end + 1
            gap = [""] if after < len(lines) and lines[after].strip() else []
            inserts.append((after, ["", *note.split("\n"), *gap]))
        if len(inserts) == MAX_NOTES:
            break
    for index, extra in reversed(inserts):
        lines[index:index] = extra
    return "\n".join(lines)


def listings(lines: list[str]) -> list[Listing]:
    """Closed, unindented code listings outside admonitions and folds (a note there would break them)."""
    found: list[Listing] = []
    depth, opening = 0, -1
    for index, (line, fenced) in enumerate(iter_fence_flags(lines)):
        if opening < 0 and fenced:
            opening = index
        elif opening < 0:
            depth += bool(_BOX_OPEN.match(line)) - bool(_BOX_CLOSE.match(line) and depth)
        elif _is_close(line, lines[opening]):
            if depth == 0 and not lines[opening][:1].isspace():
                found.append(_listing(lines, opening, index))
            opening = -1
    return found


def _is_close(line: str, opening: str) -> bool:
    marker = re.match(r"\s*(`{3,}|~{3,})", opening)
    fence = marker.group(1) if marker else ""
    stripped = line.strip()
    return bool(fence) and len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _listing(lines: list[str], opening: int, closing: int) -> Listing:
    match = _FENCE_INFO.match(lines[opening].strip())
    language = match.group(2).lower() if match else ""
    title = _TITLE_ATTR.search(match.group(3)) if match else None
    return Listing(closing, language, title.group(1) if title else "", lines[opening + 1 : closing])


def reading_note(listing: Listing) -> str | None:
    if listing.language in _SKIPPED_LANGUAGES | _SHELL:
        return None
    file_name = listing.title or _file_comment(listing.code)
    names = definitions(listing.code, listing.language)
    what = f"the file `{file_name}`" if file_name else f"this {_language(listing.language)} listing"
    if names:
        uses = _imports(listing.code)
        intro = f"{what} imports {_codes(uses)} and defines:" if uses else f"{what} defines:"
        body = [intro, "", *[_name_line(name) for name in names[:MAX_NAMES]]]
    elif listing.language in _YAML and (keys := _yaml_keys(listing.code)):
        body = [f"{what} sets the top-level keys {_codes(keys)}."]
    elif len(steps := walkthrough(listing.code)) >= 2:
        body = [f"What {what} does, in its own comments:", "", *[f"- {step}" for step in steps]]
    else:
        return None
    body[0] = body[0][:1].upper() + body[0][1:]
    return "\n".join([f":::note[{READING_TITLE}]", *body, ":::"])


def _language(language: str) -> str:
    known = {
        "cpp": "C++",
        "c++": "C++",
        "csharp": "C#",
        "cs": "C#",
        "js": "JavaScript",
        "ts": "TypeScript",
        "py": "Python",
    }
    return known.get(language, language.capitalize() if len(language) > 3 else language.upper())


def _codes(names: list[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _file_comment(code: list[str]) -> str:
    first = next((line for line in code if line.strip()), "")
    match = _FILE_COMMENT.match(first)
    return match.group(1) if match else ""


def _imports(code: list[str]) -> list[str]:
    found = [next(g for g in m.groups() if g) for line in code if (m := _IMPORT.match(line))]
    return list(dict.fromkeys(found))[:4]


def definitions(code: list[str], language: str = "") -> list[Name]:
    """Classes and functions a listing defines, each with its first docstring or comment line; methods
    (indented under a class, neither private nor special) are listed with their class."""
    names: list[Name] = []
    owner: tuple[int, Name] | None = None
    for index, line in enumerate(code):
        match = _DEFINITION.match(line) or (_C_FUNCTION.match(line) if language in _C_LIKE else None)
        if not match or {match.group("name"), match.groupdict().get("type")} & _NOT_A_NAME:
            continue
        indent = len(match.group("indent").expandtabs())
        kind = match.groupdict().get("kind") or "function"
        name, doc = match.group("name"), _doc(code, index)
        if owner and indent > owner[0]:  # a method, or a helper nested in a function (not listed)
            if owner[1].kind == "class" and not name.startswith("_") and len(owner[1].members) < MAX_MEMBERS:
                owner[1].members.append((name, doc))
            continue
        entry = Name("class" if kind in ("class", "struct", "interface", "trait", "enum") else "function", name, doc)
        names.append(entry)
        owner = (indent, entry)
    return names


def _doc(code: list[str], index: int) -> str:
    """The docstring or first comment inside a definition, else the comment lines right above it."""
    after = index + 1
    while after < len(code) and not code[after - 1].rstrip().endswith((":", "{")) and after - index < 6:
        after += 1  # a signature over several lines
    first = code[after] if after < len(code) else ""
    if doc := _DOCSTRING.match(first):
        text = doc.group("text") or (code[after + 1].strip() if after + 1 < len(code) else "")
        return _short(text.strip("\"' "))
    if (inside := _COMMENT.match(first)) and not _COMMENTED_CODE.search(inside.group("text")):
        return _short(inside.group("text"))
    above: list[str] = []
    for line in reversed(code[:index]):
        comment = _COMMENT.match(line)
        if not comment or line.strip().startswith("@") or _FILE_COMMENT.match(line):
            break
        above.insert(0, comment.group("text"))
    text = " ".join(t for t in above if t)
    return "" if _COMMENTED_CODE.search(text) else _short(text)


def _short(text: str) -> str:
    """A comment or docstring as Markdown prose: a few words, its markup characters escaped (in MDX `<` and `{`
    would open JSX)."""
    words = re.sub(r"^[-*]\s+", "", text).split()
    if not words or text.startswith(('"""', "'''")):
        return ""
    short = " ".join(words[:MAX_DOC_WORDS]) + (" …" if len(words) > MAX_DOC_WORDS else "")
    return re.sub(r"([\\`*_\[\]<>{}|#])", r"\\\1", short)


def _name_line(name: Name) -> str:
    label = f"- `{name.name}` ({name.kind})" + (f": {name.doc}" if name.doc else "")
    members = [f"  - `{member}`" + (f": {doc}" if doc else "") for member, doc in name.members]
    return "\n".join([label, *members])


def walkthrough(code: list[str]) -> list[str]:
    """The listing's own full-line comments, in order (not a file name, a shebang or commented-out code)."""
    steps = []
    for line in code[1:] if _file_comment(code) else code:
        comment = _COMMENT.match(line)
        text = comment.group("text").strip() if comment else ""
        if len(text.split()) >= 2 and not _COMMENTED_CODE.search(text):
            steps.append(_short(text))
    return list(dict.fromkeys(steps))[:MAX_COMMENTS]


def _yaml_keys(code: list[str]) -> list[str]:
    keys = [m.group(1) for line in code if (m := _YAML_KEY.match(line))]
    return list(dict.fromkeys(keys))[:8] if len(keys) >= 2 else []
