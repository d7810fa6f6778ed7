// Offline work on the page side: installs the service worker, shows what waits to be sent, sends it
// when the network is back, keeps the team's households on the phone, and serves search and the visit
// form from them when there is no signal, and keeps one user's data from the next user of a lent phone.
// Every page still works without this file while online.
"use strict";

(function () {
  if (!("serviceWorker" in navigator) || !window.PhusoQueue) return;
  const Q = window.PhusoQueue;
  const REFRESH_EVERY = 10 * 60 * 1000;
  const user = document.body.dataset.user || null;
  const loggedIn = !!user;
  // Volunteers and team leaders keep their team's households and the field pages; other roles have none.
  const fieldwork = "fieldwork" in document.body.dataset;
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
    const counts = await Q.counts(user);
    const badge = document.getElementById("queue-badge");
    if (badge) {
      // The whole phone's count: what other accounts left waits here too.
      badge.hidden = counts.total + counts.others === 0;
      badge.querySelector("[data-queue-count]").textContent = String(counts.total + counts.others);
      badge.classList.toggle("needs-attention", counts.attention > 0);
    }
    const today = document.getElementById("waiting-today");
    if (today) {
      today.hidden = counts.visitsToday === 0;
      today.textContent = today.dataset.template.replace("{n}", String(counts.visitsToday));
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
      // No signal, or a network that works and a server that does not answer: the volunteer is told which.
      const stopped = { offline: messages.offline, server: messages.serverDown }[state];
      status.textContent = stopped || (counts.total === 0 ? messages.allSent : "");
    }
    if (state === "login") document.getElementById("login-to-send").hidden = false;
    // Busy: another page or the worker is sending; look again shortly so this page shows how it went.
    if (["offline", "server", "backoff", "busy"].includes(state)) retryLater();
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
    if (!fieldwork || !navigator.onLine) return;
    const last = await Q.getMeta("households_at", 0);
    if (Date.now() - last < REFRESH_EVERY) return;
    try {
      const response = await Q.fetchWithin("/api/offline-data", { credentials: "same-origin" });
      if (response.status === 401) await Q.session();  // the session ended: purge as the queue does
      if (!response.ok) return;
      const data = await response.json();
      await Q.storeHouseholds(data.households);
    } catch (error) {
      // No signal: keep what the phone already has.
    }
  }

  // Where an item that needs attention is corrected: its form, filled from the queue, with the same client id.
  function correctionUrl(item) {
    const edit = "edit=" + encodeURIComponent(item.client_id);
    if (item.kind === "household") return "/households/new?" + edit;
    if (item.kind === "activity") return "/activities/new?" + edit;
    const p = item.payload;
    const household = p.household_id ? "household=" + p.household_id
      : "household_client=" + encodeURIComponent(p.household_client_id || "");
    return "/visits/new?" + household + "&" + edit;
  }

  // The list on /queue, drawn from the phone's storage: this user's items in full, other accounts' counted only.
  async function renderQueuePage() {
    const list = document.querySelector("[data-queue-list]");
    if (!list) return;
    const d = list.dataset;
    const all = await Q.items();
    const items = loggedIn ? all.filter((i) => Q.ownedBy(i, user)) : [];
    const others = all.length - items.length;
    list.replaceChildren();
    if (others) list.append(text("li", d.others.replace("{n}", others), "flash flash-warning"));
    if (!all.length) list.append(text("li", d.empty, "muted empty"));
    for (const item of items) {
      const attention = item.status === "attention";
      const row = text("li", null, "list-item" + (attention ? " is-attention" : ""));
      const info = text("div");
      info.append(text("strong", item.label || d.noHousehold));
      info.append(text("br"), text("small", d[item.kind] + " · "
        + new Date(item.created_at).toLocaleString(document.documentElement.lang), "muted"));
      info.append(text("br"), text("small", attention ? d.attention + ": " + item.message : d.waiting,
        attention ? "error" : "muted"));
      row.append(info);
      if (attention) {
        const actions = text("div", null, "actions");
        const correct = text("a", d.correct, "chip btn-primary");
        correct.href = correctionUrl(item);
        const discard = text("button", d.discard, "chip btn-danger");
        discard.type = "button";
        discard.addEventListener("click", async () => {
          if (window.confirm(d.confirmDiscard)) { await Q.discard(item.seq); await showCounts(); }
        });
        actions.append(correct, discard);
        row.append(actions);
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
    if (form.elements.closes_followup) form.elements.closes_followup.value = params.get("followup") || "";
    form.elements.household_client_id.value = household.id ? "" : household.client_id;
    form.elements.household_label.value = Q.householdLabel(household);
    label.textContent = (household.display_name || household.address) + " · " + label.dataset.template
      .replace("{n}", household.people).replace("{e}", household.eligible_people).replace("{l}", household.people_level2)
      .replace("{c}", household.children || 0).replace("{cl}", household.children_level2 || 0);
    // No limit from the household's list, as on the server: a visit reporting more raises the list.
    form.querySelector("button[type=submit]").disabled = false;
  }

  // Today as the day fields show it (dd/mm/yyyy): a form kept on the phone since yesterday opens with today.
  function localToday() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return pad(now.getDate()) + "/" + pad(now.getMonth() + 1) + "/" + now.getFullYear();
  }

  // An activity names itself in the queue by its kind and day.
  function nameActivity(form) {
    form.addEventListener("submit", () => {
      const kind = form.querySelector("input[name=kind]:checked");
      const label = kind && kind.parentElement ? kind.parentElement.textContent.trim() : "";
      form.elements.queue_label.value = [label, form.elements.held_on.value].filter(Boolean).join(" · ");
    });
  }

  function localNow() {
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  // A queued item opened from the queue page: the form gets its fields back, client id included, so that
  // saving puts the corrected item back into the queue in its place.
  async function fillFromQueue(form, clientId) {
    const item = await Q.find(clientId);
    if (!item || !Q.ownedBy(item, user)) return;
    for (const element of form.elements) {
      // Photos come back through photos.js, which draws each.
      if (!element.name || element.name === "csrf_token" || element.name.endsWith("_label") || element.name === "photos") continue;
      const value = item.payload[element.name];
      const values = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
      if (element.type === "checkbox" || element.type === "radio") element.checked = values.includes(element.value);
      else if (element.type !== "submit" && element.tagName !== "BUTTON") element.value = values[0] || "";
    }
    form.dispatchEvent(new Event("change", { bubbles: true }));  // the visit form shows what applies
  }

  async function prepareForms() {
    // The phone makes a new id each time a form opens, also when the page itself came from the cache.
    for (const input of document.querySelectorAll("input[data-fresh-id]")) input.value = crypto.randomUUID();
    const shell = document.querySelector("form[data-shell]");
    if (shell) {
      if (shell.elements.visited_at) shell.elements.visited_at.value = localNow();
      await fillVisitShell(shell);
    }
    const editing = new URLSearchParams(location.search).get("edit");
    const activity = document.querySelector("form[data-activity-form]");
    if (activity) {
      if (!editing && !document.querySelector(".has-error")) {
        for (const input of activity.querySelectorAll("input[data-today]")) input.value = localToday();
      }
      nameActivity(activity);
    }
    const queued = document.querySelector("#main form [name=client_id]");
    if (editing && queued) await fillFromQueue(queued.form, editing);
    const logout = document.getElementById("logout-form");
    if (logout) {
      logout.addEventListener("submit", async (event) => {
        if (logout.dataset.confirmed) return;
        event.preventDefault();
        const counts = await Q.counts(user);
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

  // Stored pages and households belong to one user. A page of another user purges them; a page with no
  // one logged in asks the server whether the session has ended (it purges them then too). A logout made
  // with no signal is finished here, on the first page of that user opened online.
  async function checkOwner() {
    const pendingLogout = await Q.getMeta("logout_pending", null);
    const lastTry = Number(sessionStorage.getItem("phuso-logout-tried") || 0);
    // Tried at most once a minute, should the server fail the logout while it serves pages.
    if (loggedIn && pendingLogout === user && navigator.onLine && Date.now() - lastTry > 60000) {
      sessionStorage.setItem("phuso-logout-tried", String(Date.now()));
      const logout = document.getElementById("logout-form");
      logout.dataset.confirmed = "1";
      logout.submit();
      return false;
    }
    if (loggedIn && pendingLogout && pendingLogout !== user) await Q.setMeta("logout_pending", null);
    if (loggedIn) await Q.adopt(user);
    else if (navigator.onLine && (await Q.getMeta("owner", null)) !== null) await Q.session();
    return true;
  }

  async function start() {
    if (!(await checkOwner())) return;
    await prepareForms();
    const params = new URLSearchParams(location.search);
    if (params.get("queued")) notice(params.get("queued") === "server" ? messages.savedServerDown : messages.savedOffline, "warning");
    if (params.get("logged_out")) notice(messages.loggedOutOffline, "warning");
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
    if (fieldwork && navigator.onLine && ready.active && Date.now() - (await Q.getMeta("warmed_at", 0)) > REFRESH_EVERY) {
      ready.active.postMessage({ type: "warm" });
    } else {
      document.body.dataset.offlineReady = "1";
    }
  }

  start();
})();
