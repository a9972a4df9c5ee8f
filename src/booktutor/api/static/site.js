// Demo site: "Personalize" and machine-translation fallback, through the widget's API client.
(function () {
  const page = document.body.dataset;
  const content = document.getElementById("chapter-content");
  const notice = document.getElementById("chapter-notice");
  const form = document.getElementById("personalize-form");
  const showOriginal = document.getElementById("show-original");
  if (!content || !page.book) return;
  const original = { html: content.innerHTML, lang: content.lang, dir: content.dir };
  const chapterPath = `/api/v1/books/${encodeURIComponent(page.book)}/chapters/${encodeURIComponent(page.chapter)}`;

  function whenReady(callback) {
    if (window.BookTutor) callback(window.BookTutor);
    else document.addEventListener("booktutor:ready", (event) => callback(event.detail), { once: true });
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // Rendered by the server as the normal pages are (admonition boxes, folds, no quizzes or JSX);
  // the widget's sanitising renderer only if that fails.
  function show(bookTutor, markdown, { lang, dir }) {
    return fetch("/site/render", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ markdown }),
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((data) => data.html)
      .catch(() => bookTutor.renderMarkdown(markdown))
      .then((html) => {
        content.innerHTML = html;
        content.lang = lang;
        content.dir = dir;
      });
  }

  function restore() {
    content.innerHTML = original.html;
    content.lang = original.lang;
    content.dir = original.dir;
    showOriginal.hidden = true;
    say("");
  }

  function reason(error) {
    return error && error.code ? ` (${error.code})` : "";
  }

  whenReady((bookTutor) => {
    if (page.translationMissing !== undefined) {
      bookTutor.client.json("GET", `${chapterPath}/translated/${encodeURIComponent(page.language)}`)
        .then((data) =>
          show(bookTutor, data.markdown, { lang: data.language || page.language, dir: data.dir || document.documentElement.dir })
            .then(() => say(data.source === "machine" ? "Machine translation." : "")))
        .catch((error) => say(`This chapter is not available in this language yet; showing the original${reason(error)}.`));
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (value) query.set(name, value);
      say("Personalizing…");
      bookTutor.client.json("GET", `${chapterPath}/personalized?${query}`)
        .then((data) =>
          show(bookTutor, data.markdown, { lang: original.lang, dir: original.dir }).then(() => {
            showOriginal.hidden = false;
            say(`Personalized for ${query.get("level")} readers${data.mode ? ` (${data.mode})` : ""}.`);
          }))
        .catch((error) => say(`Personalization is not available right now${reason(error)}.`));
    });
    showOriginal.addEventListener("click", restore);
  });
})();
