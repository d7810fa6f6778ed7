// Phủ Số service worker, served from /sw.js (VERSION, SHELL and SERVER_TIMEOUT are prepended by the server).
// Static files: cache first, stored at install. Pages: network first with a short timeout, then the
// cached copy, then a Vietnamese offline page. Visit, household and activity forms posted with no signal, or that the
// server does not answer, are kept in the queue (queue.js) and sent later exactly once.
"use strict";

importScripts("/static/js/queue.js");

const STATIC_CACHE = "phuso-static-" + VERSION;
const PAGES_CACHE = PhusoQueue.PAGES_CACHE;
const NETWORK_TIMEOUT = 4000;
const MAX_PAGES = 80;
// Pages a volunteer needs in the field, stored after login so they open with no network.
const FIELD_PAGES = ["/", "/households", "/households/new", "/visits/offline-form", "/activities/new", "/queue", "/offline"];
// Pages that name no one, kept with the shell: what opens after a logout with no signal.
const PUBLIC_PAGES = ["/offline", "/login"];
const QUEUED_FORMS = { "/visits/new": "visit", "/households/new": "household", "/activities/new": "activity" };

self.addEventListener("install", (event) => {
  const pages = PUBLIC_PAGES.map((path) => new Request(path, { credentials: "omit" }));
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll([...SHELL, ...pages])));
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
    if (url.pathname === "/logout") event.respondWith(logOut(request, url));
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
  // Any household's visit form and any search open from the one copy kept of each.
  const shared = url.pathname === "/visits/new" ? "/visits/offline-form" : url.pathname;
  return (await cache.match(url.href)) || (await caches.match(url.origin + shared))
    || (await cache.match(url.origin + "/offline")) || caches.match("/offline");
}

async function postOrQueue(event, kind) {
  const request = event.request;
  const form = await request.clone().formData();
  const payload = PhusoQueue.payloadFromForm(form);
  const owner = await PhusoQueue.getMeta("owner", null);
  // An item corrected from the queue page goes back into the queue in its place.
  const correction = await PhusoQueue.find(payload.client_id);
  const { waiting } = await PhusoQueue.counts(owner);
  // Keep the order things were made in: while anything of this user waits, or the household itself still
  // waits on this phone, a new item goes behind it in the queue.
  const mustQueue = correction || waiting > 0 || (kind === "visit" && payload.household_client_id && !payload.household_id);
  let reason = "offline";
  if (!mustQueue) {
    try {
      const response = await PhusoQueue.fetchWithin(request);
      // 400 is a form token that expired while the page sat in the cache: the queue does not need it.
      // A 5xx (a gateway error too) is a server that did not answer: the client id makes the resend safe.
      if (response.status !== 400 && response.status < 500) return response;
      if (response.status >= 500) reason = "server";
    } catch (error) {
      reason = PhusoQueue.failure(error);  // no signal, or no answer in time: keep it on the phone
    }
  }
  const label = form.get("household_label") || form.get("queue_label") || PhusoQueue.householdLabel(payload);
  const item = await PhusoQueue.enqueue(kind, payload, label, owner);
  event.waitUntil(afterQueued());
  let next = "/?queued=" + reason;
  if (correction) next = "/queue";
  else if (kind === "household") next = "/visits/new?household_client=" + encodeURIComponent(item.client_id) + "&queued=" + reason;
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

async function logOut(request, url) {
  // Private pages and the team's households leave the phone; unsent work stays with its owner until sent.
  const owner = await PhusoQueue.getMeta("owner", null);
  await PhusoQueue.forgetPrivateData(null);
  try {
    const response = await PhusoQueue.fetchWithin(request);
    if (response.status < 500) {
      await PhusoQueue.setMeta("logout_pending", null);
      return response;
    }
  } catch (error) {
    // No signal: the phone has forgotten the user; the server hears of it on the next page opened online.
  }
  await PhusoQueue.setMeta("logout_pending", owner);
  return Response.redirect(new URL("/login?logged_out=1", url.origin).href, 303);
}

async function tellPages(message) {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of pages) client.postMessage(message);
}
