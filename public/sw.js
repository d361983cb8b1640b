// Belfry's service worker: a cached app shell for a fast start (and the
// sign-in page when offline), and Web Push calls for a closed Belfry.
//
// Never cached: the API, server functions, the live stream, media signalling,
// and signed-in pages (they hold people's names and messages).
"use strict";

const VERSION = "__BELFRY_VERSION__";
const CACHE = `belfry-shell-${VERSION}`;
const SIGN_IN = "/signin";
const SHELL = [
  "/pkg/belfry.js",
  // belfry.js imports it: the loader of the pages split out of the WASM.
  "/pkg/__wasm_split.js",
  "/pkg/belfry_bg.wasm",
  "/pkg/belfry.css",
  "/pkg/pages.css",
  "/manifest.webmanifest",
  "/favicon.svg",
  "/icon-192.png",
  "/badge-96.png",
  // The sign-in pages' code, split out of the WASM (and the chunks split
  // code shares) under names that change with each build: the server fills
  // them in.
  ...__BELFRY_SIGN_IN_CODE__,
];
/// A ring's vibration: two long pulses, a pause, again.
const RING_VIBRATION = [500, 250, 500, 1000, 500, 250, 500];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One missing file must not stop the rest from being cached.
      await Promise.all(SHELL.map((url) => cache.add(url).catch(() => {})));
      // The sign-in page as a signed-out visitor sees it: no one's data.
      const page = await fetch(SIGN_IN, { credentials: "omit" }).catch(() => null);
      if (page && page.ok) await cache.put(SIGN_IN, page);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("belfry-shell-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function cacheable(url) {
  return url.origin === self.location.origin && SHELL.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (cacheable(url)) {
    event.respondWith(
      caches.match(url.pathname).then(
        (hit) =>
          hit ||
          fetch(request).then(async (res) => {
            if (res.ok) await (await caches.open(CACHE)).put(url.pathname, res.clone());
            return res;
          }),
      ),
    );
  } else if (request.mode === "navigate") {
    // Pages come from the network; offline, the cached sign-in page.
    event.respondWith(
      fetch(request).catch(async () => {
        const page = await caches.match(SIGN_IN);
        return page || Response.error();
      }),
    );
  }
  // Everything else (API, server functions, sockets) goes straight through.
});

async function setBadge(count) {
  if (typeof count !== "number" || !self.navigator.setAppBadge) return;
  try {
    if (count > 0) await self.navigator.setAppBadge(count);
    else await self.navigator.clearAppBadge();
  } catch (_) {
    // Badges are a nicety; some platforms refuse them.
  }
}

async function windows() {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true });
}

/// Shows, replaces or closes the call's notification. Called for each push.
async function onPush(msg) {
  await setBadge(msg.badge);
  const shown = await self.registration.getNotifications({ tag: msg.tag });
  if (msg.kind === "ring") {
    if (msg.ringUntil && msg.ringUntil < Date.now()) return;
    // A Belfry page on screen rings by itself.
    if ((await windows()).some((w) => w.visibilityState === "visible")) return;
    return self.registration.showNotification(msg.title, {
      body: msg.body,
      tag: msg.tag,
      renotify: true,
      requireInteraction: true,
      vibrate: RING_VIBRATION,
      icon: "/icon-192.png",
      badge: "/badge-96.png",
      data: msg,
      actions: [
        { action: "answer", title: "Answer" },
        { action: "decline", title: "Decline" },
      ],
    });
  }
  if (msg.kind === "missed") {
    // Same tag: it takes the ring's place. (Closing the ring first could
    // race the new one, which Chromium may give the same id.)
    return self.registration.showNotification(msg.title, {
      body: msg.body,
      tag: msg.tag,
      icon: "/icon-192.png",
      badge: "/badge-96.png",
      data: msg,
    });
  }
  for (const n of shown) n.close();
}

self.addEventListener("push", (event) => {
  let msg;
  try {
    msg = event.data.json();
  } catch (_) {
    return;
  }
  event.waitUntil(onPush(msg));
});

/// Answers or declines the call on the server (`/api/answer_call`,
/// `/api/decline_call`): the tap on the notification's button is the
/// person's own gesture.
async function callAction(name, callId) {
  const res = await fetch(`/api/${name}_call`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ call_id: callId }),
  });
  return res.status;
}

const decline = (callId) => callAction("decline", callId);

/// Where a tap leads: the call's deep link. A link never answers by itself
/// (anyone can send one); Answer answers here, then opens the call.
function clickTarget(msg) {
  if (!msg || !msg.callId) return "/";
  return msg.url;
}

/// Focuses an open Belfry window (telling it about the call) or opens one
/// on the call's deep link. The browser allows both only while handling a
/// real tap.
async function openCall(msg, action) {
  const open = (await windows()).find((w) => new URL(w.url).origin === self.location.origin);
  try {
    if (open) {
      open.postMessage({ type: "belfry-call", callId: msg.callId, answer: action === "answer" });
      await open.focus();
    } else {
      const answered = action === "answer" ? callAction("answer", msg.callId) : null;
      await self.clients.openWindow(clickTarget(msg));
      if (answered) await answered;
    }
  } catch (e) {
    console.warn("Belfry could not open its window:", e);
  }
}

/// What a tap on the notification or one of its buttons does.
async function onNotificationClick(notification, action) {
  notification.close();
  const msg = notification.data;
  if (msg && msg.callId && action === "decline") return decline(msg.callId);
  return openCall(msg || {}, action);
}

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(onNotificationClick(event.notification, event.action));
});

// The browser renewed this device's subscription: tell the server.
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      const sub =
        event.newSubscription ||
        (old && (await self.registration.pushManager.subscribe(old.options)));
      if (!sub) return;
      // The page registers this worker as /sw.js?device=<its device id>.
      const device = new URL(self.location.href).searchParams.get("device") || "";
      await fetch("/api/push/subscribe", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...sub.toJSON(), device }),
      });
    })(),
  );
});
