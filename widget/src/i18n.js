// Interface strings per language; the book's content language follows the same choice.
const STRINGS = {
  en: {
    open: "Ask the book", title: "Book tutor", close: "Close", newChat: "New conversation",
    language: "Language", placeholder: "Ask a question about the book…", send: "Send", stop: "Stop",
    askAbout: "Ask about this", aboutPassage: "About the selected passage", removePassage: "Remove passage",
    selectionQuestion: "Explain this passage.", retry: "Retry", sources: "Sources", you: "You", tutor: "Tutor",
    stopped: "Stopped.", interrupted: "This answer was interrupted.", thinking: "Thinking…",
    searching: "Searching the book…", reading: "Reading the chapter…", checking: "Checking the question…",
    writing: "Writing the answer…", profile: "Looking at your profile…", empty: "Ask anything about this book. Highlight a passage on the page to ask about it.",
    failed: "Sorry — the answer could not be completed.", offline: "Can't reach the tutor right now.",
    busy: "An answer is still being written. Stop it or wait a moment.", tooLong: "That message is too long.",
    rate: "Rate this answer", helpful: "Helpful", notHelpful: "Not helpful", copy: "Copy answer", copied: "Copied.",
    thanks: "Thanks for the feedback.", feedbackFailed: "Could not save your feedback.", whatWrong: "What was wrong? (optional)",
    sendFeedback: "Send", feedbackSent: "Thanks — your comment was sent.",
    yourAnswer: "Your answer", hint: "Hint, please", stopQuiz: "Stop the quiz",
  },
  ur: {
    open: "کتاب سے پوچھیں", title: "کتابی معلم", close: "بند کریں", newChat: "نئی گفتگو",
    language: "زبان", placeholder: "کتاب کے بارے میں سوال پوچھیں…", send: "بھیجیں", stop: "روکیں",
    askAbout: "اس کے بارے میں پوچھیں", aboutPassage: "منتخب عبارت کے بارے میں", removePassage: "عبارت ہٹائیں",
    selectionQuestion: "اس عبارت کی وضاحت کریں۔", retry: "دوبارہ کوشش کریں", sources: "حوالے", you: "آپ", tutor: "معلم",
    stopped: "روک دیا گیا۔", interrupted: "یہ جواب ادھورا رہ گیا۔", thinking: "سوچ رہا ہے…",
    searching: "کتاب میں تلاش ہو رہی ہے…", reading: "باب پڑھا جا رہا ہے…", checking: "سوال جانچا جا رہا ہے…",
    writing: "جواب لکھا جا رہا ہے…", profile: "آپ کا پروفائل دیکھا جا رہا ہے…", empty: "اس کتاب کے بارے میں کچھ بھی پوچھیں۔ صفحے پر کوئی عبارت منتخب کر کے اس کے بارے میں پوچھیں۔",
    failed: "معذرت — جواب مکمل نہیں ہو سکا۔", offline: "اس وقت معلم سے رابطہ نہیں ہو پا رہا۔",
    busy: "ایک جواب ابھی لکھا جا رہا ہے۔ اسے روکیں یا تھوڑا انتظار کریں۔", tooLong: "یہ پیغام بہت لمبا ہے۔",
    rate: "اس جواب کی درجہ بندی کریں", helpful: "مفید", notHelpful: "مفید نہیں", copy: "جواب نقل کریں", copied: "نقل ہو گیا۔",
    thanks: "رائے کا شکریہ۔", feedbackFailed: "آپ کی رائے محفوظ نہیں ہو سکی۔", whatWrong: "کیا غلط تھا؟ (اختیاری)",
    sendFeedback: "بھیجیں", feedbackSent: "شکریہ — آپ کا تبصرہ بھیج دیا گیا۔",
    yourAnswer: "آپ کا جواب", hint: "اشارہ دیں", stopQuiz: "کوئز روکیں",
  },
};

export const LANGUAGES = [
  { code: "en", name: "English", dir: "ltr" },
  { code: "ur", name: "اردو", dir: "rtl" },
];
const RTL = new Set(["ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"]);

export function baseLanguage(code) {
  return String(code || "en").split("-")[0].toLowerCase();
}

export function direction(code) {
  return RTL.has(baseLanguage(code)) ? "rtl" : "ltr";
}

export function strings(code) {
  return STRINGS[baseLanguage(code)] ?? STRINGS.en;
}

const STEP_KEYS = { guard: "checking", router: "thinking", answer: "writing", tutor: "writing", personalize: "writing", translate: "writing" };
const TOOL_KEYS = { search_book: "searching", get_section: "reading", get_chapter: "reading", get_user_profile: "profile" };

export function stepLabel(t, { step, tool }) {
  if (tool) return t[TOOL_KEYS[tool] ?? "thinking"];
  return t[STEP_KEYS[step] ?? "thinking"];
}
