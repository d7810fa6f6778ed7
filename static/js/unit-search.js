// Finding one of a province's 100-odd units as one types, diacritics and case ignored ("thoi lai" finds
// "Xã Thới Lai", folded as the server's app/services/text.fold does). Without this file the pages still work:
// the lists take a GET search (?q=) and the unit fields a <datalist> and names the server resolves.
"use strict";

(function () {
  const SUGGESTIONS = 8;

  function fold(text) {
    return (text || "").normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  const wordsOf = (query) => fold(query).split(" ").filter(Boolean);
  const holds = (text, words) => { const folded = fold(text); return words.every((word) => folded.includes(word)); };

  // A list on the page (`data-filter` names it): items whose data-search does not hold the words are hidden.
  function filterList(input) {
    const target = document.querySelector(input.dataset.filter);
    if (!target) return;
    const words = wordsOf(input.value);
    let shown = 0;
    for (const item of target.querySelectorAll("[data-search]")) {
      item.hidden = !holds(item.dataset.search, words);
      if (!item.hidden) shown += 1;
    }
    const none = input.form && input.form.querySelector("[data-filter-none]");
    if (none) none.textContent = shown ? "" : none.dataset.filterNone;
  }

  // A unit field (`data-unit-picker` names its suggestion list): our suggestions replace the browser's.
  function namesOf(input) {
    if (input.hasAttribute("list")) {
      input.dataset.names = input.getAttribute("list");
      input.removeAttribute("list");
    }
    const names = document.getElementById(input.dataset.names);
    return names ? Array.from(names.options, (option) => option.value) : [];
  }

  function suggest(input) {
    const list = document.getElementById(input.dataset.unitPicker);
    if (!list) return;
    const words = wordsOf(input.value);
    const found = words.length ? namesOf(input).filter((name) => holds(name, words)) : [];
    list.replaceChildren(...found.slice(0, SUGGESTIONS).map((name) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "unit-suggestion";
      button.textContent = name;
      item.append(button);
      return item;
    }));
    list.hidden = found.length === 0 || (found.length === 1 && found[0] === input.value);
  }

  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("[data-unit-picker]")) namesOf(event.target);
  });
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches) return;
    if (input.matches("[data-filter]")) filterList(input);
    if (input.matches("[data-unit-picker]")) suggest(input);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".unit-suggestion");
    if (!button) return;
    const list = button.closest(".unit-suggestions");
    const input = document.querySelector(`[data-unit-picker="${list.id}"]`);
    input.value = button.textContent;
    list.hidden = true;
    input.focus();
    if (input.dataset.submitOnPick && input.form) input.form.requestSubmit();  // a filter: picking is choosing
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !event.target.matches || !event.target.matches("[data-unit-picker]")) return;
    const list = document.getElementById(event.target.dataset.unitPicker);
    if (list) list.hidden = true;
  });
})();
