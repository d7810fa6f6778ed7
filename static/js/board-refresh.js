// A board projected at a meeting keeps its figures fresh without reloading the page (a meta refresh would
// move a screen reader's place and the reader's scroll): every minute the page is fetched again and each
// element marked `data-refresh` takes the content of the element with its id in the new copy.
"use strict";

(function () {
  const EVERY_MS = 60 * 1000;
  if (!document.querySelector("[data-refresh][id]")) return;

  async function refresh() {
    if (document.hidden) return;  // a tab in the background waits until it is looked at again
    let response;
    try {
      response = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
    } catch (error) {
      return;  // no network: the figures shown stay, the next minute tries again
    }
    if (response.status === 404) {
      location.reload();  // the link was revoked: show so instead of figures that no longer update
      return;
    }
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const element of document.querySelectorAll("[data-refresh][id]")) {
      const update = fresh.getElementById(element.id);
      if (update) element.replaceChildren(...update.childNodes);
    }
  }

  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
})();
