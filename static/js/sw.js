// Phủ Số service worker, served from /sw.js (VERSION and SHELL are prepended by the server).
// Static files: cache first, stored at install. Pages: network first with a short timeout, then the
// cached copy, then a Vietnamese offline page. Visit and household forms posted with no signal are
// kept in the queue (queue.js) and sent later exactly once.
"use strict";

importScripts("/static/js/queue.js");

const STATIC_CACHE = "phuso-static-" + VERSION;
const PAGES_CACHE = "phuso-pages";
const NETWORK_TIMEOUT = 4000;
const MAX_PAGES = 80;
// Pages a volunteer needs in the field, stored after login so they open with no network.
const FIELD_PAGES = ["/", "/households", "/households/new", "/visits/offline-form", "/queue", "/offline"];
const QUEUED_FORMS = { "/visits/new": "visit", "/households/new": "household" };

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll([...SHELL, "/offline"])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("phuso-static-") && name !== STATIC_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.method === "POST") {
    if (url.pathname === "/logout") event.respondWith(logOut(request));
    else if (QUEUED_FORMS[url.pathname]) event.respondWith(postOrQueue(event, QUEUED_FORMS[url.pathname]));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
  else if (request.mode === "navigate") event.respondWith(page(request, url));
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function remember(request, response) {
  if (!response.ok || response.redirected || response.type !== "basic") return;
  if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) return;
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(request.url, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
}

async function page(request, url) {
  let response = null;
  try {
    response = await withTimeout(fetch(request), NETWORK_TIMEOUT);
    if (response.status < 500) {
      await remember(request, response.clone());
      return response;
    }
  } catch (error) {
    // No signal, or too slow: fall back to the stored copy.
  }
  // A server that is down answers like no network: the stored copy is more use than an error page.
  return (await offlinePage(url)) || response || Response.error();
}

async function offlinePage(url) {
  const cache = await caches.open(PAGES_CACHE);
  const stored = (await cache.match(url.href)) || (await cache.match(url.origin + url.pathname));
  if (stored) return stored;
  // Any household's visit form and any search open from the one copy kept of each.
  if (url.pathname === "/visits/new") return cache.match(url.origin + "/visits/offline-form");
  if (url.pathname === "/households") return cache.match(url.origin + "/households");
  return (await cache.match(url.origin + "/offline")) || caches.match("/offline");
}

async function postOrQueue(event, kind) {
  const request = event.request;
  const form = await request.clone().formData();
  const payload = PhusoQueue.payloadFromForm(form);
  const { waiting } = await PhusoQueue.counts();
  // Keep the order things were made in: while anything waits, or the household itself still waits
  // on this phone, a new item goes behind it in the queue.
  const mustQueue = waiting > 0 || (kind === "visit" && payload.household_client_id && !payload.household_id);
  if (!mustQueue) {
    try {
      const response = await fetch(request);
      // 400 is a form token that expired while the page sat in the cache: the queue does not need it.
      if (response.status !== 400) return response;
    } catch (error) {
      // No signal: keep it on the phone.
    }
  }
  const item = await PhusoQueue.enqueue(kind, payload, payload.display_name || payload.address || "");
  event.waitUntil(afterQueued());
  const next = kind === "household"
    ? "/visits/new?household_client=" + encodeURIComponent(item.client_id) + "&queued=1"
    : "/?queued=1";
  return Response.redirect(new URL(next, self.location.origin).href, 303);
}

async function afterQueued() {
  // The page opened next sends the queue; Background Sync sends it when no page is open.
  if (self.registration.sync) {
    try { await self.registration.sync.register("phuso-sync"); } catch (error) { /* not granted */ }
  }
  await tellPages({ type: "queue-changed" });
}

self.addEventListener("sync", (event) => {
  if (event.tag === "phuso-sync") event.waitUntil(syncInBackground());
});

async function syncInBackground() {
  // An open page sends the queue itself (one sender at a time); the worker sends only for closed apps.
  if ((await self.clients.matchAll({ type: "window" })).length) return tellPages({ type: "send" });
  const state = await PhusoQueue.flush({ force: true });
  // Let the browser try again later while the network is still missing.
  if (state === "offline" || state === "retry") throw new Error(state);
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "warm") event.waitUntil(warm());
});

async function warm() {
  const cache = await caches.open(PAGES_CACHE);
  for (const path of FIELD_PAGES) {
    try {
      const response = await fetch(path, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(new URL(path, self.location.origin).href, response);
    } catch (error) {
      return;
    }
  }
  await tellPages({ type: "warmed" });
}

async function logOut(request) {
  // Private pages and the team's households leave the phone; unsent work stays until it is sent.
  await caches.delete(PAGES_CACHE);
  await PhusoQueue.forgetPrivateData();
  return fetch(request);
}

async function tellPages(message) {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of pages) client.postMessage(message);
}
