"""What a question asks for (a definition, a reason, a comparison, code, ...) and its parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from booktutor.extractive.aspects import asked_aspect
from booktutor.extractive.headword import head_terms
from booktutor.extractive.scoring import definition_subject
from booktutor.extractive.text import content_terms

_COMPARISON = [
    re.compile(r"\bdifferen\w*\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*[?.!]*$", re.I),
    re.compile(r"\bcompare\s+(?P<a>.+?)\s+(?:and|vs\.?|versus)\s+(?P<b>.+?)\s*[?.!]*$", re.I),
    re.compile(r"\bcompare\s+(?P<a>.+?)\s+(?:with|to)\s+(?P<b>.+?)\s*[?.!]*$", re.I),
    re.compile(r"\bhow\s+(?:does|do|is|are)\s+(?P<a>.+?)\s+differ\w*\s+from\s+(?P<b>.+?)\s*[?.!]*$", re.I),
    re.compile(r"\bhow\s+(?:does|do|is|are)\s+(?P<a>.+?)\s+compared?\s+(?:to|with)\s+(?P<b>.+?)\s*[?.!]*$", re.I),
    re.compile(
        r"(?:^|\b(?:is|are|what about|between)\s+)(?P<a>[\w\s-]+?)\s+(?:vs\.?|versus)\s+(?P<b>[\w\s-]+?)\s*[?.!]*$",
        re.I,
    ),
    re.compile(r"\bshould\s+I\s+use\s+(?P<a>.+?)\s+or\s+(?P<b>.+?)\s*[?.!]*$", re.I),
    re.compile(
        r"\bwhen\s+(?:should|would|do)\s+(?:I|you|we)\s+(?:use|choose|pick)\s+(?P<a>.+?)\s+"
        r"(?:instead of|rather than|over)\s+(?P<b>.+?)\s*[?.!]*$",
        re.I,
    ),
]
_CODE = re.compile(
    r"\b(?:show\s+(?:me\s+)?(?:the\s+|some\s+|an?\s+)?(?:code|snippet|example code|implementation)|"
    r"code\s+(?:for|to|that|example|snippet)|(?:write|implement)\s+(?:a|an|the)\b|"
    r"(?:example|sample)\s+(?:code|program|script|launch file|config\w*)|what\s+command|which\s+command|"
    r"how\s+(?:do|can)\s+I\s+(?:write|code|implement|create|launch|run|install|build|define|configure))",
    re.I,
)
_PROCEDURE = re.compile(
    r"\b(?:steps?\s+(?:to|for|of)|how\s+(?:do|can|should)\s+(?:I|you|we)|how\s+to|"
    r"(?:best|safe|safest|right|good|proper|easiest|correct|recommended|standard)\s+ways?\s+to)\b",
    re.I,
)
_WHY = re.compile(
    r"^\s*(?:why\b|what\s+(?:is|are)\s+the\s+(?:reason|purpose|point|benefit|advantage)s?\b|"
    r"how\s+come\b|what\s+(?:makes|causes)\b)|\bwhy\b",
    re.I,
)
_HOW_MECHANISM = re.compile(r"^\s*how\s+(?:does|do|is|are|can|could|did)\b", re.I)
_LIST = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|so|well|hmm+|and|also)\b[\s,]*)*(?:what|which)\s+(?:are\s+)?(?:the\s+)?"
    r"(?:main\s+|key\s+|different\s+|common\s+|core\s+|basic\s+)?"
    r"(?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\s+)?(?:main\s+|key\s+|core\s+)?(?:[\w-]+\s+)?"
    r"(?:types|kinds|components|parts|steps|stages|layers|categories|examples|challenges|"
    r"advantages|disadvantages|benefits|limitations|features|principles|elements|modules|levels|"
    r"building\s+blocks|pieces|ingredients|pillars|phases|factors|approaches|methods|techniques|strategies)\b|"
    r"^\s*(?:list|name)\b",
    re.I,
)
_NUMBER = re.compile(
    r"\bhow\s+(?:many|much|long|fast|far|often|big|large|small|heavy)\b|"
    r"\bwhat\s+(?:is\s+the\s+)?(?:rate|frequency|number|percentage|speed|size|range)\b",
    re.I,
)
_EXAMPLE = re.compile(
    r"\b(?:show|give|provide)\s+(?:me\s+|us\s+)?(?:an?\s+|some\s+|another\s+|one\s+)?(?:\w+\s+)?examples?\b|"
    r"\bexamples?\s+of\b|^\s*(?:any|an?)\s+examples?\b|\bfor\s+(?:example|instance)\s*[?.!]*$|"
    r"\bwhat\s+(?:is|would\s+be)\s+an\s+example\b|\b(?:is|are)\s+there\s+(?:an?\s+|any\s+)?examples?\b",
    re.I,
)
_REQUEST = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)"
    r"(?=(?:show|explain|give|tell|help|describe|list|summari[sz]e|walk|provide|clarify|elaborate|break|compare|"
    r"define|teach|go\s+over|point|recap|outline)\b)",
    re.I,
)
"""A request worded as a question ("Can you show me ...?"): what follows is what is asked, not a yes or no."""
_YES_NO = re.compile(r"^\s*(?:is|are|can|does|do|should|will|would|could|was|were|has|have)\b", re.I)
_DEFINITION = re.compile(r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+|the\s+)?|what'?s\s+|define\b|meaning\s+of\b)", re.I)
_PART_SPLIT = re.compile(
    r"\?\s+(?=\S)|,?\s+(?:and|n|&)\s+(?=(?:what|why|how|which|when|where|who|is|are|does|do|can)\b)|;\s+", re.I
)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_PART_OF = re.compile(r"\b(?:the|an?)\s+(?P<part>[\w-]+(?:\s+[\w-]+){0,2}?)\s+(?:of|in)\s+(?:an?|the)\s+[\w-]", re.I)
_GENERIC_PART = frozenset({"term", "part", "role", "purpose", "function", "job", "use", "goal", "main", "key"})


@dataclass(frozen=True)
class Intent:
    kind: str  # definition | why | how | comparison | list | procedure | code | example | number | yesno | general
    parts: tuple[str, ...] = ()
    """Sub-questions when the question asks for two or more things ("What is X and what is its drawback?")."""
    sides: tuple[frozenset[str], ...] = field(default=())
    """For a comparison: the content words of each thing compared."""
    aspect: str = ""
    """The side of the topic asked about: "drawback" (disadvantages, limitations, ...), "benefit" or
    "collaboration" (with whom the learner may work) or "deadline" (when work is due; `aspects.ASPECTS`)."""
    focus: frozenset[str] = frozenset()
    """The words of the part asked about in "the X of a Y" ("the integral term of a PID controller")."""
    place: frozenset[str] = frozenset()
    """The words naming the part of the book the question points at ("in the sim-to-real case study")."""
    about_course: str = ""
    """The question asks about the course or a chapter as a whole: "goals" (what I will learn or build, what it
    covers) or "logistics" (how long, how it is organised, what it requires). Its objectives, structure and
    front matter are then the answer."""
    about_practice: bool = False
    """The question asks about the book's exercises, labs or assessments themselves ("What exercises does the
    ROS 2 chapter have?", "What do I build in the lab?"): their prompts and steps are then the answer."""
    subject: frozenset[str] = frozenset()
    """For "what is X?": the words of X, the term a sentence must define to answer."""
    head: frozenset[str] = frozenset()
    """For "what is X?" of two or more words: X's head noun ('topic' of 'a ROS 2 topic', `headword`)."""

    @property
    def wants_code(self) -> bool:
        return self.kind == "code"

    @property
    def wants_steps(self) -> bool:
        return self.kind in ("code", "procedure")


_CLAUSE_BREAK = re.compile(r"\s+[-–—]\s+|[?:;]\s+")
_MORE_SIDES = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:vs\.?|versus)\s+", re.I)
"""Where a compared thing ends and the next begins: "topics vs services vs actions", "A, B and C"."""


def _sides(question: str) -> tuple[frozenset[str], ...]:
    """The compared things, in the whole question or in its first clause ("A vs B - what's the difference?")."""
    clauses = [question, *_CLAUSE_BREAK.split(question)[:1]]
    for pattern, text in ((p, c) for c in clauses for p in _COMPARISON):
        if match := pattern.search(text):
            named = [name for g in ("a", "b") for name in _MORE_SIDES.split(_CLAUSE_BREAK.split(match[g])[0])]
            sides = tuple(dict.fromkeys(content_terms(_LEADING_ARTICLE.sub("", n.strip())) for n in named))
            if len(sides) >= 2 and all(sides):
                return sides
    return ()


_UNNAMED_ASK = frozenset(
    content_terms("what whats difference differences options choices alternatives one pick choose deal happens best")
)
"""Words of a part that names nothing of its own ("whats the difference", "what are my options"): it asks the
part before it again, and no sentence of the book matches it by its words."""


def split_parts(question: str) -> tuple[str, ...]:
    parts: list[str] = []
    for part in (p.strip(" ,?.") for p in _PART_SPLIT.split(question.strip())):
        terms = content_terms(part)
        if not terms or len(part.split()) < 2:
            continue
        if parts and terms <= _UNNAMED_ASK:
            parts[-1] = f"{parts[-1]}, {part}"
        else:
            parts.append(part)
    return tuple(parts) if len(parts) > 1 else ()


@lru_cache(maxsize=1 << 12)
def question_intent(question: str) -> Intent:
    """The kind of answer the question wants, from its wording (English; other languages are `general`)."""
    intent = replace(
        _intent(question),
        place=place_named(question),
        about_practice=asks_about_practice(question),
        about_course=asks_about_course(question),
    )
    if intent.kind != "definition":
        return intent
    if intent.about_course:  # "What are the learning objectives of lesson 2?" asks for them, not what they are
        return replace(intent, kind="list")
    return replace(intent, subject=definition_subject(question), head=head_terms(question))


_WHOLE = (
    r"(?:(?:this|the)\s+(?:whole\s+|entire\s+)?(?:course|book|textbook|module|chapter|unit|program(?:me)?|class)|"
    r"(?:the\s+)?(?:module|chapter|unit|part|lesson|week)\s+\d+\b)"
)
"""The course or one of its parts, by name ("this course", "the chapter") or by number ("module 4")."""
_ABOUT_COURSE = re.compile(
    rf"\bhow\s+long\s+(?:is|does|will|would)\s+(?:it\s+take\s+to\s+(?:finish|complete|do)\s+)?{_WHOLE}|"
    rf"\bhow\s+(?:many\s+(?:weeks|hours|modules|chapters)|much\s+time)\b|"
    rf"\bwhat\s+(?:will|do|am|should|would|can)\s+(?:i|we)\s+(?:\w+\s+){{0,3}}?(?:learn|build|built|know|be\s+able)\b|"
    rf"\bby\s+the\s+end\s+of\s+{_WHOLE}|\bby\s+the\s+end\b.*\b(?:i|we)\b|"
    rf"\bwhat\s+(?:are|is)\s+the\s+(?:\w+\s+)?(?:prerequisites?|learning\s+(?:objectives|outcomes|goals)|"
    rf"requirements)\b|"
    rf"\bwhat\s+(?:are|were)\s+the\s+(?:objectives|outcomes|aims)\s+(?:of|for)\s+{_WHOLE}|"
    rf"\bwhat\s+(?:does|will)\s+{_WHOLE}\s+(?:cover|teach|include|require|need)\b|"
    rf"\bhow\s+is\s+{_WHOLE}\s+(?:organi[sz]ed|structured|laid\s+out)\b|"
    rf"\bwhat\s+do\s+(?:i|we)\s+need\s+(?:to\s+know\s+)?before\b",
    re.I,
)


_COURSE_LOGISTICS = re.compile(
    r"\bhow\s+(?:long|many\s+(?:weeks|hours)|much\s+time|is\s+\w+\s+\w+\s+(?:organi[sz]ed|structured|laid))|"
    r"\bprerequisites?\b|\brequirements?\b|\brequire|\bneed\b|\bbefore\b",
    re.I,
)


def asks_about_course(question: str) -> str:
    """What the question asks about the course or a chapter as a whole, if it does (see `Intent.about_course`)."""
    if not _ABOUT_COURSE.search(question):
        return ""
    return "logistics" if _COURSE_LOGISTICS.search(question) else "goals"


_NAMED = r"(?:[\w'-]+\s+){0,4}?"
_PRACTICE = (
    r"(?:exercises?|labs?|assignments?|assessments?|quiz(?:zes)?|homework|challenges?|projects?|activities|"
    r"activity|review\s+questions|practice\s+(?:questions|problems))"
)
_MARKED_PRACTICE = (
    r"(?:exercises?|labs?|assignments?|assessments?|quiz(?:zes)?|homework|tutorials?|hands[- ]on\s+\w+|"
    r"review\s+questions|practice\s+(?:questions|problems|tests?)|capstone|projects?|self[- ]checks?|"
    r"knowledge\s+checks?)"
)
"""The practice a book marks as such (booktutor.ingest.purpose, booktutor.tools.practice): whether a chapter has
some can be read from its structure. (A challenge may be any section: "what challenges are there" asks about
the topic.)"""
_ABOUT_PRACTICE = re.compile(
    rf"\b(?:what|which)\s+(?:\w+\s+)?{_PRACTICE}\s+(?:are|is)\s+(?:there|in|included|part)\b|"
    rf"\b(?:are|is)\s+there\s+(?:any\s+)?(?:\w+\s+)?{_PRACTICE}\b|"
    rf"\bhow\s+many\s+(?:\w+\s+)?{_PRACTICE}\b|"
    rf"\bwhat(?:'s|\s+is|\s+are)\s+(?:the|this|that|each)\s+{_NAMED}{_PRACTICE}\s+(?:(?:in|of|on|for)\s+[\w\s-]{{1,40}}?\s+)?(?:about|asking)\b|"
    rf"\bwhat\s+(?:do|will|should|must|would|am)\s+(?:i|we|you)\s+(?:\w+\s+){{0,2}}?(?:do|build|make|create|"
    rf"implement|write|submit|hand\s+in|deliver|need)\b.*?\b(?:in|for|during|by\s+the\s+end\s+of)\s+"
    rf"(?:the|this|that|each|a)\s+{_NAMED}(?:{_PRACTICE}|capstone)\b|"
    rf"\bhow\s+(?:do|can|should|would|will)\s+(?:i|we|you)\s+(?:solve|do|complete|approach|tackle|finish|start|"
    rf"answer|work\s+through)\s+(?:the|this|that|each|a|an)\s+{_NAMED}{_MARKED_PRACTICE}\b|"
    rf"\bwhat\s+does\s+(?:the|this|that|each)\s+{_NAMED}{_PRACTICE}\s+(?:ask|cover|involve|require|test|want|"
    rf"include|expect|have)\b|"
    rf"^\s*(?:describe|summari[sz]e|list|show\s+me)\s+(?:the|this|all\s+the|all)\s+{_NAMED}{_PRACTICE}\b|"
    rf"\b(?:steps?|tasks?|parts?|stages?)\s+(?:of|in|for)\s+(?:the|this|that|each)\s+{_NAMED}{_PRACTICE}\b|"
    rf"\bsteps?\s*#?\s*\d{{1,2}}\s+(?:of|in|for|from)\s+(?:(?:the|this|that)\s+{_NAMED})?{_PRACTICE}\b|"
    rf"\b{_PRACTICE}(?:\s*\d+)?(?:'s|,)?\s+(?:[\w-]+\s+)?steps?\s*#?\s*\d{{0,2}}\b(?!\s*by\s+step)|"
    rf"\bwhat(?:'s|\s+is)\s+(?:the|this)\s+{_NAMED}capstone(?:\s+project)?\s*\??$|"
    rf"^\W*(?:(?:(?:can|could|would)\s+you\s+|please\s+)?(?:tell\s+me\s+(?:more\s+)?about|describe|explain|"
    rf"walk\s+me\s+through)\s+)?(?:the|this|that|each)\s+{_NAMED}{_MARKED_PRACTICE}"
    rf"(?=\s*(?:$|[?.!,]|(?:in|of|from|at)\b))",
    re.I,
)
_PRACTICE_EXISTS = re.compile(
    rf"\b(?:are|is)\s+there\s+(?:any\s+|an?\s+|some\s+)?(?:\w+\s+)?{_MARKED_PRACTICE}\b|"
    rf"\b(?:what|which)\s+(?:\w+\s+)?{_MARKED_PRACTICE}\s+(?:are|is|does|do|can)\b|"
    rf"\bhow\s+many\s+(?:\w+\s+)?{_MARKED_PRACTICE}\b|"
    rf"\b(?:does|do|did)\s+(?:the|this|that|each|it|(?:module|chapter|unit|part|lesson|week)\s+\d+)\b[^?]{{0,60}}?\b(?:have|include|contain|come\s+with|end\s+with|"
    rf"offer)\s+(?:any\s+|an?\s+|some\s+)?(?:\w+\s+)?{_MARKED_PRACTICE}\b|"
    rf"^\s*(?:any|list|show\s+me)\s+(?:the\s+|all\s+the\s+|all\s+)?{_NAMED}{_MARKED_PRACTICE}\b",
    re.I,
)


_ANSWERED = (
    r"(?:questions\b|(?:question|q|problem|exercise)\s*#?\d+|(?:first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth|tenth|last|final)\s+(?:question|problem|exercise)|exercises?|quiz(?:zes)?|labs?|assignments?|"
    r"assessments?|homework|self[- ]checks?|knowledge\s+checks?|practice\s+problems?)"
)
"""What a book sets the learner to answer: its quizzes, exercises, numbered questions (not "the problem of drift")."""
_ASKS_FOR_ANSWER = re.compile(
    rf"\b(?:(?:model|correct|right|sample|full|worked)\s+)?(?:answers?|solutions?|solved)\s+(?:to|of|for|in|on)\s+"
    rf"(?:(?:the|this|that|each|every|all|all\s+the|these|those|its|my)\s+)?{_NAMED}{_ANSWERED}\b|"
    rf"\banswer\s+keys?\b|\bkeys?\s+(?:to|of|for)\s+(?:the\s+)?{_NAMED}quiz|"
    rf"\b{_MARKED_PRACTICE}\s+(?:answers|solutions|model\s+answers)\b|"
    rf"\b(?:which|what)\s+(?:option|choice|letter)\s+is\s+(?:right|correct)\b.*\b{_ANSWERED}\b|"
    rf"\b(?:solve|answer|do)\s+(?:the|this|that|each|all\s+the)\s+{_NAMED}{_MARKED_PRACTICE}\s+for\s+me\b",
    re.I,
)
"""A request for the answer of one of the book's own questions ("What is the answer to question 2 of the quiz?",
"Show me the answer key", "the solutions to the exercises on belts"): the question is shown, its answer is not."""


_PRACTICE_CONTENT = re.compile(
    rf"\bwhat(?:'s|\s+is|\s+are)\s+(?:on|in)\s+(?:the|this|that|each)\s+{_NAMED}{_MARKED_PRACTICE}\b|"
    rf"\bwhat\s+does\s+(?:the|this|that|each)\s+{_NAMED}{_MARKED_PRACTICE}\s+(?:ask|cover|include|test|have)\b|"
    rf"^\W*what(?:'s|\s+is|\s+are)\s+(?:the|this|that)\s+{_NAMED}{_MARKED_PRACTICE}\s+(?:in|of|for|at\s+the\s+end\s+of)\s+"
    rf"(?:the|this|that|chapter|module|unit|lesson)\b|"
    rf"\b(?:what|which)\s+questions\s+(?:are|is|does|do|will|did)\b[^?]{{0,60}}?\b{_MARKED_PRACTICE}\b|"
    rf"\b(?:exercise|problem|lab|activity|assignment|tutorial|project)\s*#?\d{{1,3}}(?:\.\d+)*\b|"
    rf"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)\s+(?:exercise|problem)\b|"
    rf"\bquestions?\s*#?\d{{1,3}}\s+(?:of|in|on|from)\s+(?:the|this|that)\s+{_NAMED}{_MARKED_PRACTICE}\b",
    re.I,
)
"""What a quiz or an exercise set asks ("What is on the module 1 quiz?", "What questions are in the quiz?") or
one exercise of it by its number ("Help me with exercise 1 of chapter 2", "question 2 of the quiz")."""


def asks_about_practice(question: str) -> bool:
    """Whether the question is about practice material itself (see `Intent.about_practice`)."""
    return bool(
        _ABOUT_PRACTICE.search(question)
        or _PRACTICE_EXISTS.search(question)
        or _PRACTICE_CONTENT.search(question)
        or asks_for_answer(question)
    )


def asks_for_answer(question: str) -> bool:
    """Whether the question asks for the answer (key, solution) of the book's own quiz questions or exercises."""
    return bool(_ASKS_FOR_ANSWER.search(question))


def asks_which_practice(question: str) -> bool:
    """Whether the question asks if (or which) exercises, labs or quizzes a chapter or topic has: when it has
    none, that is the answer."""
    return bool(_PRACTICE_EXISTS.search(question))


_WHOLE_BOOK = re.compile(
    r"\b(?:the|this|our|whole|entire)\s+(?:whole\s+|entire\s+)?(?:course|book|textbook|curriculum|program(?:me)?)\b",
    re.I,
)


def asks_about_whole_book(question: str) -> bool:
    """Whether the question asks about the course or book as a whole ("What labs does the course have?")."""
    return bool(_WHOLE_BOOK.search(question))


_PLACE = re.compile(
    r"\b(?:in|from|of|using)\s+the\s+(?:book'?s\s+)?(?P<name>[\w/-]+(?:\s+[\w/-]+){0,3}?)\s+"
    r"(?P<kind>case\s+study|example|exercise|chapter|section|lab|project|tutorial|node|scheme|module)\b",
    re.I,
)


def place_named(question: str) -> frozenset[str]:
    """The words of the section the question points at ("In the sim-to-real case study, ..."), if it does."""
    match = _PLACE.search(question)
    return content_terms(f"{match['name']} {match['kind']}") if match else frozenset()


def _intent(question: str) -> Intent:
    question = _REQUEST.sub("", question)
    sides = _sides(question)
    if sides:
        return Intent("comparison", (), sides)
    parts = split_parts(question)
    aspect = "" if parts else asked_aspect(question)
    focus = _focus(question)
    for kind, pattern in (
        ("code", _CODE),
        ("why", _WHY),
        ("number", _NUMBER),
        ("list", _LIST),
        ("procedure", _PROCEDURE),
        ("example", _EXAMPLE),
        ("how", _HOW_MECHANISM),
        ("definition", _DEFINITION),
        ("yesno", _YES_NO),
    ):
        if pattern.search(question):
            if kind == "definition" and aspect:
                kind = "list"  # "What are the actuator's drawbacks?" asks for drawbacks, not a definition
            return Intent(kind, parts, aspect=aspect, focus=focus)
    return Intent("general", parts, aspect=aspect, focus=focus)


def _focus(question: str) -> frozenset[str]:
    """The part of a thing asked about ("the integral term of a PID controller" → integral)."""
    match = _PART_OF.search(question)
    if match is None:
        return frozenset()
    terms = content_terms(match["part"]) - _GENERIC_PART
    return frozenset() if asked_aspect(match["part"]) else terms


_REQUEST_LEAD = re.compile(
    r"^\W*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?(?:"
    r"(?:teach|tell)\s+me\s+(?:a\s+(?:bit|little)\s+)?about|teach\s+me|"
    r"help\s+me\s+(?:to\s+)?(?:understand|learn(?:\s+about)?|with)|"
    r"i\s+(?:really\s+)?(?:need|want|would\s+like|'d\s+like)\s+(?:some\s+)?(?:"
    r"help\s+(?:with|understanding|on)|to\s+(?:learn|understand|know)(?:\s+(?:more\s+)?about)?)|"
    r"i\s+(?:still\s+)?(?:don'?t|do\s+not|can'?t|cannot)\s+(?:really\s+)?(?:understand|get))"
    r"\s*[:,]?\s+(?=\S)",
    re.IGNORECASE,
)


def asked_topic(message: str) -> str:
    """The message without a request's lead ("Teach me about backlash" → "backlash", "I need help
    understanding PID control" → "PID control"): those words name no topic, yet a search and the
    answer's word overlap read "teach" as one ("teaches a network" in another chapter)."""
    return _REQUEST_LEAD.sub("", message, count=1) or message


_MECHANISM = re.compile(r"\bhow\s+(?:does|do|did|is|are|will|would)\s+(?!(?:i|we|you|one)\b)", re.I)
_NOT_MECHANISM = frozenset({"why", "yesno", "comparison", "list", "code", "definition", "number"})


def asks_mechanism(question: str, intent: Intent) -> bool:
    """The question asks how something works or decides ("how does X know ...", "how does it score ..."),
    not how the learner does something, nor a reason, a comparison, a list or a definition
    (extractive.mechanism)."""
    return bool(_MECHANISM.search(question)) and intent.kind not in _NOT_MECHANISM and not intent.sides
