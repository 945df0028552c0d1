// The phone's outbox: handovers a helper recorded with no signal, kept in IndexedDB until
// the server has answered. Each keeps the form as it was sent, with its own client_key, so
// sending it again and again makes one handover (dropoffs.services.handovers._key_check). Used by the
// pages (offline.js) and by the service worker (service-worker.js), so it touches no page.
//
// An item: {key, url, body, kit, what, user, queuedAt, state, message}
//   state "waiting"  not sent yet (or the server could not take it just now)
//         "sent"     the server recorded it (or had already); the page shows it once
//         "refused"  the kit's state no longer allows it; the message says what to do
(function (scope) {
  "use strict";
  const DB_NAME = "scrubhub-outbox";
  const ITEMS = "handovers";
  const META = "meta";
  const SYNC_TAG = "scrubhub-outbox";
  // What each kit page button records, for a handover the service worker kept (the pages
  // pass their own words).
  const ACTIONS = {
    collect: "Kit given to the maker",
    return: "Finished scrubs taken back",
    return_rework: "Reworked scrubs taken back",
    unfinished: "Unfinished kit taken back",
    pick_up: "Scrubs handed to a driver",
    arrive: "Scrubs arrived at the hub",
  };

  let opening = null;
  function database() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = scope.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore(ITEMS, { keyPath: "key" });
          request.result.createObjectStore(META);
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return opening;
  }

  async function run(store, mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = work(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  async function list() {
    const items = await run(ITEMS, "readonly", (store) => store.getAll());
    return items.sort((a, b) => a.queuedAt - b.queuedAt);
  }

  function put(item) {
    return run(ITEMS, "readwrite", (store) => store.put(item));
  }

  // The answer for one item, unless it was answered meanwhile (the page and the worker may
  // both send it) or forgotten: a sent item that the page has shown must not come back.
  async function settle(key, changes) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(ITEMS, "readwrite");
      const store = transaction.objectStore(ITEMS);
      const reading = store.get(key);
      reading.onsuccess = () => {
        if (reading.result && reading.result.state === "waiting") {
          store.put({ ...reading.result, ...changes });
        }
      };
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
  }

  function forget(key) {
    return run(ITEMS, "readwrite", (store) => store.delete(key));
  }

  async function add({ url, body, kit, what, user }) {
    const key = new URLSearchParams(body).get("client_key");
    if (!key) {
      throw new Error("A handover needs its client_key to be kept.");
    }
    // The same key twice (a double tap) is the same handover: kept once.
    const item = { key, url, body, kit, what, user, queuedAt: Date.now(), state: "waiting" };
    await put(item);
    // Background Sync, where the browser has it, sends it even if the page is closed.
    const workers = scope.navigator.serviceWorker;
    const registration = scope.registration || (workers ? await workers.getRegistration() : null);
    if (registration && registration.sync) {
      registration.sync.register(SYNC_TAG).catch(() => undefined);
    }
    return item;
  }

  function describe(params) {
    return ACTIONS[params.get("action")] || "Scrubs handed in";
  }

  function setUser(user) {
    return run(META, "readwrite", (store) => store.put(user || "", "user"));
  }

  async function currentUser() {
    return (await run(META, "readonly", (store) => store.get("user"))) || "";
  }

  // One item to the server. The answer of our own views is JSON
  // (dropoffs.views.outbox._outbox_answer); anything else means the item could not be
  // judged, so it waits.
  async function sendOne(item, csrf) {
    const body = new URLSearchParams(item.body);
    if (csrf) {
      // Signing in again gives a new CSRF secret, so the page's own token goes with it.
      body.set("csrfmiddlewaretoken", csrf);
    }
    let response;
    try {
      response = await scope.fetch(item.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      });
    } catch (error) {
      return { state: "waiting", offline: true };
    }
    if (response.type === "opaqueredirect") {
      return { state: "waiting", message: "Sign in again to send it." };
    }
    const type = response.headers.get("Content-Type") || "";
    const answer = type.includes("application/json") ? await response.json().catch(() => null) : null;
    if (answer && (answer.result === "sent" || answer.result === "already")) {
      return { state: "sent", message: answer.message };
    }
    if (answer && answer.result === "refused") {
      return { state: "refused", message: answer.message };
    }
    if (csrf && (response.status === 403 || response.status === 404)) {
      return {
        state: "refused",
        message: `You cannot record handovers for kit ${item.kit} here any more, so nothing was recorded. Please ask the hub what to do.`,
      };
    }
    return { state: "waiting", message: "It could not be sent just now. It will be tried again." };
  }

  let flushing = null;
  // Send every waiting handover of this helper, oldest first, and stop at the first that
  // finds no signal. Returns the items as they are now.
  function flush({ user, csrf }) {
    if (flushing) {
      return flushing;
    }
    flushing = (async () => {
      try {
        for (const item of await list()) {
          if (item.state !== "waiting" || item.user !== user) {
            continue;
          }
          const result = await sendOne(item, csrf);
          if (result.offline) {
            break;
          }
          await settle(item.key, { state: result.state, message: result.message || "" });
        }
        return list();
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  }

  scope.ScrubHubOutbox = {
    SYNC_TAG,
    add,
    list,
    forget,
    flush,
    describe,
    setUser,
    currentUser,
  };
})(self);
