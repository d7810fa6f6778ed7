// The phone's store for offline work, shared by pages and the service worker (importScripts).
// IndexedDB "phuso": queue (what waits to be sent, in the order it was made), households (the team's
// households kept for offline search and visits), meta (back-off, pause, last refresh, owner).
// A phone may be lent between volunteers: each queued item carries its owner's user id and goes only under
// that login; stored pages and households belong to one user ("owner") and are purged when another logs in
// or the session ends.
"use strict";

(function (global) {
  const DB_NAME = "phuso";
  const LOCK = "phuso-sync";
  const MAX_BACKOFF = 5 * 60 * 1000;
  const FIRST_BACKOFF = 5 * 1000;
  const ENDPOINTS = { visit: "/api/visits", household: "/api/households", activity: "/api/activities" };
  const LIST_FIELDS = new Set(["services", "helper_ids", "priority_tags", "team_ids", "member_ids", "photos"]);
  // Not sent: the form token, and the name a form carries for the queue page (a visit's household, an activity).
  const LOCAL_FIELDS = new Set(["csrf_token", "household_label", "queue_label"]);
  const PAGES_CACHE = "phuso-pages";
  // How long to wait for the server: the worker's header sets SERVER_TIMEOUT, pages read base.html's meta.
  const timeoutMeta = global.document && document.querySelector("meta[name=phuso-server-timeout]");
  const TIMEOUT = typeof SERVER_TIMEOUT === "number" ? SERVER_TIMEOUT : Number(timeoutMeta && timeoutMeta.content) || 20000;

  let opening = null;
  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
          db.createObjectStore("households", { keyPath: "key" });
          db.createObjectStore("meta", { keyPath: "name" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  async function run(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      let result;
      Promise.resolve(work(tx.objectStore(store))).then((value) => { result = value; });
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  const asPromise = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  const all = (store) => run(store, "readonly", (s) => asPromise(s.getAll()));
  const put = (store, value) => run(store, "readwrite", (s) => asPromise(s.put(value)));
  const remove = (store, key) => run(store, "readwrite", (s) => asPromise(s.delete(key)));
  const get = (store, key) => run(store, "readonly", (s) => asPromise(s.get(key)));

  async function getMeta(name, fallback) {
    const row = await get("meta", name);
    return row === undefined ? fallback : row.value;
  }
  const setMeta = (name, value) => put("meta", { name, value });

  // Same folding as the server's app/services/text.fold: "Nguyễn Văn" → "nguyen van".
  function fold(text) {
    return (text || "").normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  // A fetch that gives up when the server does not answer in time (an "AbortError").
  async function fetchWithin(resource, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT);
    try {
      return await fetch(resource, Object.assign({}, options, { signal: controller.signal }));
    } finally {
      clearTimeout(timer);
    }
  }

  // Why a fetch failed: "server" when the network is up but the server did not answer in time, else "offline".
  function failure(error) {
    return error && error.name === "AbortError" && global.navigator.onLine !== false ? "server" : "offline";
  }

  // A household as the queue page names it: its name and address.
  function householdLabel(h) {
    return [h.display_name, h.address].filter(Boolean).join(" · ");
  }

  // A submitted form as the JSON the sync API takes: repeated fields (checkboxes) become lists.
  function payloadFromForm(formData) {
    const payload = {};
    for (const [key, value] of formData.entries()) {
      if (LOCAL_FIELDS.has(key) || typeof value !== "string") continue;
      if (LIST_FIELDS.has(key)) (payload[key] = payload[key] || []).push(value);
      else payload[key] = value;
    }
    return payload;
  }

  // Items made before items carried their owner go with whoever logs in next, as they did then.
  const ownedBy = (item, user) => item.owner == null || String(item.owner) === String(user);

  async function find(clientId) {
    return clientId ? (await items()).find((i) => i.client_id === clientId) : undefined;
  }

  // A new item goes last; an item corrected from the queue page keeps its place and its owner.
  async function enqueue(kind, payload, label, owner) {
    const previous = await find(payload.client_id);
    const item = Object.assign(previous || { kind, created_at: new Date().toISOString(), owner }, {
      payload, label: label || "", client_id: payload.client_id, status: "pending", message: "",
    });
    item.seq = await put("queue", item);
    if (kind === "household") {
      // Searchable and visitable on the phone at once, before it reaches the server.
      await put("households", {
        key: "c:" + payload.client_id, client_id: payload.client_id, id: null,
        area_id: Number(payload.area_id), address: payload.address || "", display_name: payload.display_name || "",
        search_key: fold((payload.address || "") + " " + (payload.display_name || "")),
        people: Number(payload.people || 1), eligible_people: Number(payload.eligible_people || 0), people_level2: 0,
        children: Number(payload.children || 0), children_level2: 0,
        local: true,
      });
    }
    await setMeta("retry_at", 0);
    return item;
  }

  async function items() {
    return (await all("queue")).sort((a, b) => a.seq - b.seq);
  }

  // "YYYY-MM-DD" of the phone's own day, as the visit form writes its time.
  function localDay(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  // What waits for `user` (everything when no one is logged in) and how many items other accounts left.
  async function counts(user) {
    const list = await items();
    const mine = user == null ? list : list.filter((i) => ownedBy(i, user));
    const today = localDay(new Date());
    return {
      // Visits logged today that are still on the phone: the home page adds them to today's count.
      visitsToday: mine.filter((i) => i.kind === "visit" && String(i.payload.visited_at || "").startsWith(today)).length,
      waiting: mine.filter((i) => i.status === "pending").length,
      attention: mine.filter((i) => i.status === "attention").length,
      total: mine.length,
      others: list.length - mine.length,
      paused: await getMeta("paused", false),
    };
  }

  // Who is logged in and their sync token, or { state } when that cannot be known: "offline", "server", or
  // "login" when the session has ended, which purges the previous user's private data from the phone.
  async function session() {
    let response;
    try {
      response = await fetchWithin("/api/session", { credentials: "same-origin", cache: "no-store" });
    } catch (error) {
      return { state: failure(error) };
    }
    if (response.status === 401) {
      await forgetPrivateData(null);
      await setMeta("logout_pending", null);
      return { state: "login" };
    }
    if (!response.ok) return { state: response.status >= 500 ? "server" : "login" };
    const body = await response.json();
    return { user: String(body.user), token: body.sync_token };
  }

  async function backOff() {
    const previous = await getMeta("backoff", 0);
    const delay = Math.min(MAX_BACKOFF, previous ? previous * 2 : FIRST_BACKOFF);
    await setMeta("backoff", delay);
    await setMeta("retry_at", Date.now() + delay);
  }

  function describe(body, status) {
    const parts = [body.error || ("HTTP " + status)];
    for (const messages of Object.values(body.errors || {})) parts.push(...messages);
    return parts.join(" ");
  }

  async function send(item, login) {
    return fetchWithin(ENDPOINTS[item.kind], {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Sync-Token": login.token, "X-Queue-Owner": login.user },
      body: JSON.stringify(item.payload),
    });
  }

  // The queue stops: an ended login waits for the next one, anything else tries again later.
  async function stop(state) {
    if (state === "login") await setMeta("paused", true);
    else await backOff();
    return state;
  }

  // A visit to a household merged away goes to the household that stayed, which the server names.
  async function moveToSurvivor(item, survivor) {
    item.payload.household_id = String(survivor.id);
    delete item.payload.household_client_id;
    item.label = survivor.label;
    await put("queue", item);
  }

  // Send the logged-in user's waiting items one at a time, oldest first; other accounts' items wait for
  // their owner. A 2xx (a replay included) removes the item; no network, no answer in time or a 5xx keeps
  // it and backs off; an expired login pauses the queue; a visit to a merged household moves and goes
  // again; any other 4xx moves the item to "needs attention" with the server's message. Never dropped.
  async function flushOnce(force) {
    if (!force && Date.now() < (await getMeta("retry_at", 0))) return "backoff";
    if (!(await items()).some((i) => i.status === "pending")) return "empty";
    let login = await session();
    if (login.state) return stop(login.state);
    const all = await items();
    const waiting = all.filter((i) => i.status === "pending" && ownedBy(i, login.user));
    if (!waiting.length) return "empty";
    // A visit to a household added on the phone waits while that household is still in the queue
    // (needing attention, say): it goes once the corrected household has reached the server.
    const unsent = new Set(all.filter((i) => i.kind === "household").map((i) => i.client_id));
    await setMeta("paused", false);
    for (const item of waiting) {
      if (item.kind === "visit" && unsent.has(item.payload.household_client_id)) continue;
      let response;
      try {
        for (let moves = 0; ; moves++) {
          response = await send(item, login);
          if (response.status === 403) {
            // The login changed since the token was read: read it again once, and stop if it is another user's.
            login = await session();
            if (login.state) return stop(login.state);
            if (!ownedBy(item, login.user)) return "empty";
            response = await send(item, login);
          }
          const merged = response.status === 409 && (await response.clone().json().catch(() => ({}))).merged_into;
          if (!merged || moves > 3) break;
          await moveToSurvivor(item, merged);
        }
      } catch (error) {
        return stop(failure(error));
      }
      if (response.ok) {
        const body = await response.json().catch(() => ({}));
        await remove("queue", item.seq);
        unsent.delete(item.client_id);
        if (item.kind === "household" && body.id) {
          const local = await get("households", "c:" + item.client_id);
          if (local) await put("households", Object.assign(local, { id: body.id, local: false }));
        }
        continue;
      }
      if (response.status === 401) {
        await forgetPrivateData(null);
        return stop("login");
      }
      if (response.status >= 500 || response.status === 429 || response.status === 408) return stop("server");
      const body = await response.json().catch(() => ({}));
      await put("queue", Object.assign(item, { status: "attention", message: describe(body, response.status) }));
    }
    await setMeta("backoff", 0);
    await setMeta("retry_at", 0);
    return "done";
  }

  function flush(options) {
    const force = !!(options && options.force);
    // One sender at a time across the pages and the service worker. A forced send (the button, the
    // network coming back) waits its turn; a routine one gives way to a send already running.
    if (global.navigator && navigator.locks) {
      if (force) return navigator.locks.request(LOCK, () => flushOnce(true));
      return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? flushOnce(false) : "busy"));
    }
    return flushOnce(force);
  }

  async function discard(seq) {
    await remove("queue", seq);
  }

  async function storeHouseholds(list) {
    await run("households", "readwrite", (store) => {
      // Households made on this phone stay until the server has them under their own id.
      store.getAll().onsuccess = (event) => {
        for (const row of event.target.result) if (!row.local) store.delete(row.key);
        for (const h of list) store.put(Object.assign({ key: "id:" + h.id, local: false }, h));
      };
    });
    await setMeta("households_at", Date.now());
  }

  async function findHousehold(ref) {
    if (ref.id) return get("households", "id:" + ref.id);
    const local = await get("households", "c:" + ref.client_id);
    if (local) return local;
    return (await all("households")).find((h) => h.client_id === ref.client_id);
  }

  async function searchHouseholds(query, limit) {
    const words = fold(query).split(" ").filter(Boolean);
    const seen = new Set();
    return (await all("households"))
      .filter((h) => words.every((w) => h.search_key.includes(w)))
      .filter((h) => { const k = h.id || h.client_id; if (seen.has(k)) return false; seen.add(k); return true; })
      .sort((a, b) => a.search_key.localeCompare(b.search_key))
      .slice(0, limit || 25);
  }

  // Stored pages and households leave the phone; queued items stay with their owner. `owner` is whose
  // data the phone keeps from now on (null: no one's).
  async function forgetPrivateData(owner) {
    await caches.delete(PAGES_CACHE);
    await run("households", "readwrite", (store) => asPromise(store.clear()));
    // "areas" was kept by earlier versions of this file.
    for (const name of ["households_at", "warmed_at", "areas"]) await setMeta(name, 0);
    await setMeta("owner", owner);
  }

  // A page of `user` opened: what another user left on the phone is purged first.
  async function adopt(user) {
    if ((await getMeta("owner", null)) !== user) await forgetPrivateData(user);
  }

  global.PhusoQueue = {
    PAGES_CACHE, fold, fetchWithin, failure, householdLabel, payloadFromForm, ownedBy, find, enqueue, items,
    counts, session, flush, discard, storeHouseholds, findHousehold, searchHouseholds, forgetPrivateData, adopt,
    getMeta, setMeta,
  };
})(self);
