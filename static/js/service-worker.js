// ScrubHub's service worker, loaded by /sw.js (scrubhub/pwa.py), which sets self.SCRUBHUB
// to where the files are. It keeps what a helper at a point needs when the signal goes:
// the scan page, each kit page she opened, and the site's own CSS and scripts. Nothing
// else is kept on the phone. Handovers recorded with no signal wait in the outbox
// (outbox.js), which this worker also sends on Background Sync.
//
// Workbox (vendored from npm, static/vendor/workbox) does the routing, the network-first
// pages with a time-out, the stale-while-revalidate assets and the expiry of old pages.
/* global workbox, ScrubHubOutbox */
"use strict";

importScripts.apply(self, self.SCRUBHUB.workbox.concat([self.SCRUBHUB.outbox]));

const CONFIG = self.SCRUBHUB;
const PAGES = "scrubhub-pages";
const STATIC = "scrubhub-static";
// With a signal this weak, a kept page is better than a blank screen.
const PAGE_TIMEOUT_SECONDS = 6;
const OFFLINE_PAGE = /^\/kit\/[^/]+\/(hand-in\/)?$/;
const HANDOVER_POST = /^\/kit\/([^/]+)\/(handover|hand-in)\/$/;

workbox.core.setCacheNameDetails({ prefix: "scrubhub" });

// A page that is really the sign-in page (the session ended) is never kept as the page.
const notRedirected = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected ? response : null,
};
const pageStrategy = new workbox.strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: PAGE_TIMEOUT_SECONDS,
  // Django says Vary: Cookie; the worker cannot see cookies, and signing out empties this.
  matchOptions: { ignoreVary: true },
  plugins: [
    notRedirected,
    new workbox.expiration.ExpirationPlugin({ maxEntries: 150, maxAgeSeconds: 7 * 24 * 3600 }),
  ],
});

function kitCode(text) {
  // As packages.services.normalise_kit_code forgives them: case, separators, O, I and L.
  return (text || "")
    .toUpperCase()
    .replace(/[\s\-_.\u2010-\u2014]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

async function keptPage(path) {
  const cache = await caches.open(PAGES);
  return cache.match(path, { ignoreVary: true, ignoreSearch: false });
}

// The scan page. Looking a code up needs the server; with no signal, a kit whose page the
// phone kept opens from here, and anything else gets the kept scan page, which says so.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname === CONFIG.scan,
  async ({ request, url, event }) => {
    if (!url.search) {
      const kept = await pageStrategy.handle({ event, request }).catch(() => null);
      return kept || Response.error();
    }
    try {
      return await fetch(request);
    } catch (error) {
      const code = kitCode(url.searchParams.get("code"));
      if (code && (await keptPage(`/kit/${code}/`))) {
        return Response.redirect(`/kit/${code}/`, 303);
      }
      return (await keptPage(CONFIG.scan)) || Response.error();
    }
  },
);

// Kit pages and a group's hand-in page, kept as they were last seen.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && OFFLINE_PAGE.test(url.pathname),
  pageStrategy,
);

// The app opened from the home screen with no signal: a helper's scan page, if kept.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname === CONFIG.home,
  async ({ request }) => {
    try {
      return await fetch(request);
    } catch (error) {
      return (await keptPage(CONFIG.scan)) || Response.error();
    }
  },
);

workbox.routing.registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith(CONFIG.static),
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC,
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 80 })],
  }),
);

// A handover sent while the phone thought it had signal, and the signal went: kept in the
// outbox with its key like one recorded offline, and the helper is back on the scan page.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && HANDOVER_POST.test(url.pathname),
  async ({ request }) => {
    const copy = request.clone();
    try {
      return await fetch(request);
    } catch (error) {
      const body = await copy.text();
      const url = new URL(copy.url);
      const user = await ScrubHubOutbox.currentUser();
      const params = new URLSearchParams(body);
      if (!params.get("client_key") || !user) {
        return Response.error();
      }
      await ScrubHubOutbox.add({
        url: url.pathname,
        body,
        kit: kitCode(HANDOVER_POST.exec(url.pathname)[1]).replace(/^(...)(....)$/, "$1-$2"),
        what: ScrubHubOutbox.describe(params),
        user,
      });
      return Response.redirect(CONFIG.scan, 303);
    }
  },
  "POST",
);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC)
      .then((cache) => cache.addAll(CONFIG.assets))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep-page" && typeof data.url === "string") {
    // A page opened before this worker was looking after it (the first visit).
    const url = new URL(data.url, self.location.origin);
    if (url.origin !== self.location.origin) {
      return;
    }
    const path = url.pathname + url.search;
    if (path !== CONFIG.scan && !OFFLINE_PAGE.test(url.pathname)) {
      return;
    }
    event.waitUntil(
      fetch(path, { credentials: "same-origin" }).then(async (response) => {
        if (await notRedirected.cacheWillUpdate({ response })) {
          await (await caches.open(PAGES)).put(path, response);
        }
      }).catch(() => undefined),
    );
  } else if (data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === ScrubHubOutbox.SYNC_TAG) {
    event.waitUntil(
      ScrubHubOutbox.currentUser().then((user) => user && ScrubHubOutbox.flush({ user })),
    );
  }
});
