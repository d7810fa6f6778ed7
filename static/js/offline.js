// Offline work on the page side: installs the service worker, shows what waits to be sent, sends it
// when the network is back, keeps the team's households on the phone, and serves search and the visit
// form from them when there is no signal. Every page still works without this file while online.
"use strict";

(function () {
  if (!("serviceWorker" in navigator) || !window.PhusoQueue) return;
  const Q = window.PhusoQueue;
  const REFRESH_EVERY = 10 * 60 * 1000;
  const loggedIn = !!document.body.dataset.user;
  const messages = (document.getElementById("js-messages") || {}).dataset || {};

  function text(tag, content, className) {
    const element = document.createElement(tag);
    if (content) element.textContent = content;
    if (className) element.className = className;
    return element;
  }

  function notice(message, kind) {
    const main = document.getElementById("main");
    if (!main || !message) return;
    const note = text("p", message, "flash flash-" + (kind || "success"));
    note.setAttribute("role", "status");
    main.prepend(note);
  }

  async function showCounts() {
    const counts = await Q.counts();
    const badge = document.getElementById("queue-badge");
    if (badge) {
      badge.hidden = counts.total === 0;
      badge.querySelector("[data-queue-count]").textContent = String(counts.total);
      badge.classList.toggle("needs-attention", counts.attention > 0);
    }
    const login = document.getElementById("login-to-send");
    if (login) login.hidden = !(counts.paused && counts.waiting > 0 && !loggedIn);
    await renderQueuePage();
    return counts;
  }

  async function sendNow(force) {
    if (!loggedIn) return showCounts();
    const status = document.getElementById("queue-status");
    if (status && force) status.textContent = messages.sending || "";
    const state = await Q.flush({ force });
    const counts = await showCounts();
    if (status && force) {
      status.textContent = state === "offline" ? messages.offline : (counts.total === 0 ? messages.allSent : "");
    }
    if (state === "login") document.getElementById("login-to-send").hidden = false;
    if (["offline", "retry", "backoff"].includes(state)) retryLater();
    return state;
  }

  // While something waits, try again when the back-off ends (the page may stay open for hours).
  let retryTimer = null;
  async function retryLater() {
    clearTimeout(retryTimer);
    const wait = Math.max(1000, (await Q.getMeta("retry_at", 0)) - Date.now());
    retryTimer = setTimeout(() => sendNow(false), wait);
  }

  async function refreshHouseholds() {
    if (!loggedIn || !navigator.onLine) return;
    const last = await Q.getMeta("households_at", 0);
    if (Date.now() - last < REFRESH_EVERY) return;
    try {
      const response = await fetch("/api/offline-data", { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      await Q.storeHouseholds(data.households);
      await Q.setMeta("areas", data.areas);
    } catch (error) {
      // No signal: keep what the phone already has.
    }
  }

  // The list on /queue, drawn from the phone's storage.
  async function renderQueuePage() {
    const list = document.querySelector("[data-queue-list]");
    if (!list) return;
    const d = list.dataset;
    const items = await Q.items();
    list.replaceChildren();
    if (!items.length) list.append(text("li", d.empty, "muted empty"));
    for (const item of items) {
      const row = text("li", null, "list-item" + (item.status === "attention" ? " is-attention" : ""));
      const info = text("div");
      info.append(text("strong", item.kind === "visit" ? d.visit : d.household));
      info.append(text("span", " · " + new Date(item.created_at).toLocaleString(document.documentElement.lang)));
      if (item.label) info.append(text("br"), text("small", item.label));
      info.append(text("br"), text("small", item.status === "attention" ? d.attention + ": " + item.message : d.waiting,
        item.status === "attention" ? "error" : "muted"));
      row.append(info);
      if (item.status === "attention") {
        const discard = text("button", d.discard, "chip btn-danger");
        discard.type = "button";
        discard.addEventListener("click", async () => {
          if (window.confirm(d.confirmDiscard)) { await Q.discard(item.seq); await showCounts(); }
        });
        row.append(discard);
      }
      list.append(row);
    }
  }

  // Search with no signal: the households kept on the phone, folded the same way as on the server.
  async function searchOffline(input) {
    const results = document.getElementById("results");
    if (!results) return;
    const found = await Q.searchHouseholds(input.value);
    const list = text("ul", null, "list");
    list.append(text("li", messages.offlineResults, "muted"));
    if (!found.length) list.append(text("li", messages.noMatch, "muted empty"));
    for (const h of found) {
      const row = text("li", null, "list-item household");
      const who = text("div", null, "household-link");
      who.append(text("strong", h.display_name || h.address));
      if (h.display_name) who.append(text("br"), text("small", h.address));
      if (!h.id) who.append(text("br"), text("small", messages.notSent, "badge"));
      const link = text("a", messages.logVisit, "btn btn-primary");
      link.href = h.id ? "/visits/new?household=" + h.id : "/visits/new?household_client=" + encodeURIComponent(h.client_id);
      row.append(who, link);
      list.append(row);
    }
    results.replaceChildren(list);
  }

  // The visit form kept for offline use names no household: fill it in from the address bar.
  async function fillVisitShell(form) {
    const params = new URLSearchParams(location.search);
    const ref = { id: params.get("household"), client_id: params.get("household_client") };
    const label = document.querySelector("[data-household-label]");
    const household = (ref.id || ref.client_id) ? await Q.findHousehold(ref) : null;
    if (!household) {
      label.textContent = label.dataset.missing;
      label.classList.add("flash", "flash-error");
      return;
    }
    form.elements.household_id.value = household.id || "";
    form.elements.household_client_id.value = household.id ? "" : household.client_id;
    label.textContent = (household.display_name || household.address) + " · " + label.dataset.template
      .replace("{n}", household.people).replace("{e}", household.eligible_people).replace("{l}", household.people_level2);
    const limits = { vneid_installed: household.people, online_people: household.people,
      level2_activated: household.eligible_people - household.people_level2 };
    for (const [name, max] of Object.entries(limits)) if (form.elements[name]) form.elements[name].max = max;
    form.querySelector("button[type=submit]").disabled = false;
  }

  function localNow() {
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  function prepareForms() {
    // The phone makes a new id each time a form opens, also when the page itself came from the cache.
    for (const input of document.querySelectorAll("input[data-fresh-id]")) input.value = crypto.randomUUID();
    const shell = document.querySelector("form[data-shell]");
    if (shell) {
      if (shell.elements.visited_at) shell.elements.visited_at.value = localNow();
      fillVisitShell(shell);
    }
    const logout = document.getElementById("logout-form");
    if (logout) {
      logout.addEventListener("submit", async (event) => {
        if (logout.dataset.confirmed) return;
        event.preventDefault();
        const counts = await Q.counts();
        if (counts.total > 0 && !window.confirm((messages.logoutWarning || "").replace("{n}", counts.total))) return;
        logout.dataset.confirmed = "1";
        logout.submit();
      });
    }
    const search = document.getElementById("q");
    if (search) {
      search.addEventListener("htmx:sendError", () => searchOffline(search));
      search.addEventListener("htmx:responseError", () => searchOffline(search));
      // A search opened with no signal gets the stored copy of the page: search the phone instead.
      const typed = new URLSearchParams(location.search).get("q");
      if (!navigator.onLine && typed) {
        search.value = typed;
        searchOffline(search);
      }
    }
    for (const button of document.querySelectorAll("[data-queue-send]")) {
      button.addEventListener("click", () => sendNow(true));
    }
  }

  async function start() {
    prepareForms();
    const params = new URLSearchParams(location.search);
    if (params.get("queued")) notice(messages.savedOffline, "warning");
    navigator.serviceWorker.addEventListener("message", async (event) => {
      if (event.data && event.data.type === "queue-changed") showCounts();
      if (event.data && event.data.type === "send") sendNow(false);
      if (event.data && event.data.type === "warmed") {
        await Q.setMeta("warmed_at", Date.now());
        document.body.dataset.offlineReady = "1";
      }
    });
    window.addEventListener("online", () => sendNow(true));
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await showCounts();
    if (!loggedIn) return;
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    // Just logged in again after the queue paused: send at once, whatever the back-off says.
    await sendNow(await Q.getMeta("paused", false));
    await refreshHouseholds();
    const ready = await navigator.serviceWorker.ready;
    // The field pages are stored again now and then, so what opens offline stays recent.
    if (navigator.onLine && ready.active && Date.now() - (await Q.getMeta("warmed_at", 0)) > REFRESH_EVERY) {
      ready.active.postMessage({ type: "warm" });
    } else {
      document.body.dataset.offlineReady = "1";
    }
  }

  start();
})();
