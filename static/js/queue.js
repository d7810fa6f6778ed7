// The phone's store for offline work, shared by pages and the service worker (importScripts).
// IndexedDB "phuso": queue (what waits to be sent, in the order it was made), households (the team's
// households kept for offline search and visits), meta (back-off, pause, last refresh).
"use strict";

(function (global) {
  const DB_NAME = "phuso";
  const LOCK = "phuso-sync";
  const MAX_BACKOFF = 5 * 60 * 1000;
  const FIRST_BACKOFF = 5 * 1000;
  const ENDPOINTS = { visit: "/api/visits", household: "/api/households" };
  const LIST_FIELDS = new Set(["services", "helper_ids", "priority_tags"]);

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

  // A submitted form as the JSON the sync API takes: repeated fields (checkboxes) become lists.
  function payloadFromForm(formData) {
    const payload = {};
    for (const [key, value] of formData.entries()) {
      if (key === "csrf_token" || typeof value !== "string") continue;
      if (LIST_FIELDS.has(key)) (payload[key] = payload[key] || []).push(value);
      else payload[key] = value;
    }
    return payload;
  }

  async function enqueue(kind, payload, label) {
    const item = {
      kind, payload, label: label || "", client_id: payload.client_id,
      created_at: new Date().toISOString(), status: "pending", message: "",
    };
    item.seq = await put("queue", item);
    if (kind === "household") {
      // Searchable and visitable on the phone at once, before it reaches the server.
      await put("households", {
        key: "c:" + payload.client_id, client_id: payload.client_id, id: null,
        area_id: Number(payload.area_id), address: payload.address || "", display_name: payload.display_name || "",
        search_key: fold((payload.address || "") + " " + (payload.display_name || "")),
        people: Number(payload.people || 1), eligible_people: Number(payload.eligible_people || 0), people_level2: 0,
        local: true,
      });
    }
    await setMeta("retry_at", 0);
    return item;
  }

  async function items() {
    return (await all("queue")).sort((a, b) => a.seq - b.seq);
  }

  async function counts() {
    const list = await items();
    return {
      waiting: list.filter((i) => i.status === "pending").length,
      attention: list.filter((i) => i.status === "attention").length,
      total: list.length,
      paused: await getMeta("paused", false),
    };
  }

  // The sync token: undefined when there is no network, null when the login has expired.
  async function syncToken() {
    let response;
    try {
      response = await fetch("/api/session", { credentials: "same-origin", cache: "no-store" });
    } catch (error) {
      return undefined;
    }
    if (response.status === 401) return null;
    if (!response.ok) return undefined;
    return (await response.json()).sync_token;
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

  async function send(item, token) {
    return fetch(ENDPOINTS[item.kind], {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Sync-Token": token },
      body: JSON.stringify(item.payload),
    });
  }

  // Send waiting items one at a time, oldest first. A 2xx (a replay included) removes the item;
  // no network or a 5xx keeps it and backs off; an expired login pauses the queue; any other 4xx
  // moves the item to "needs attention" with the server's message. Never dropped silently.
  async function flushOnce(force) {
    if (!force && Date.now() < (await getMeta("retry_at", 0))) return "backoff";
    const waiting = (await items()).filter((i) => i.status === "pending");
    if (!waiting.length) return "empty";
    let token = await syncToken();
    if (token === undefined) { await backOff(); return "offline"; }
    if (token === null) { await setMeta("paused", true); return "login"; }
    await setMeta("paused", false);
    for (const item of waiting) {
      let response;
      try {
        response = await send(item, token);
        if (response.status === 403) {
          // The login changed since the token was read: read it again once.
          token = await syncToken();
          if (!token) { await setMeta("paused", token === null); return token === null ? "login" : "offline"; }
          response = await send(item, token);
        }
      } catch (error) {
        await backOff();
        return "offline";
      }
      if (response.ok) {
        const body = await response.json().catch(() => ({}));
        await remove("queue", item.seq);
        if (item.kind === "household" && body.id) {
          const local = await get("households", "c:" + item.client_id);
          if (local) await put("households", Object.assign(local, { id: body.id, local: false }));
        }
        continue;
      }
      if (response.status === 401) { await setMeta("paused", true); return "login"; }
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        await backOff();
        return "retry";
      }
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

  async function forgetPrivateData() {
    await run("households", "readwrite", (store) => asPromise(store.clear()));
    await setMeta("households_at", 0);
    await setMeta("warmed_at", 0);
  }

  global.PhusoQueue = {
    fold, payloadFromForm, enqueue, items, counts, flush, discard, storeHouseholds, findHousehold,
    searchHouseholds, forgetPrivateData, getMeta, setMeta,
  };
})(self);
