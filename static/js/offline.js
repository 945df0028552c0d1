// Working with no signal, on every page: registers the service worker (which keeps the
// scan page and the kit pages a helper opened), keeps a handover recorded offline in the
// outbox (outbox.js) with its own key, shows what is waiting on the handover pages, sends
// it when the signal comes back, and warns a helper who signs out with some not sent.
// Without this file (or with no IndexedDB) every form is sent as it always was.
(function () {
  "use strict";
  const script = document.currentScript;
  const user = script.dataset.user || "";
  const outbox = window.ScrubHubOutbox;
  const workers = "serviceWorker" in navigator ? navigator.serviceWorker : null;

  if (workers && script.dataset.worker) {
    workers.register(script.dataset.worker, { scope: "/" }).then(() => {
      if (!workers.controller && document.querySelector("[data-outbox]")) {
        // Opened before the worker looked after this page: ask it to keep a copy.
        workers.ready.then((registration) => {
          if (registration.active) {
            registration.active.postMessage({ type: "keep-page", url: location.href });
          }
        });
      }
    }).catch(() => undefined);
  }
  if (!outbox || !window.indexedDB) {
    return;
  }

  const offline = () => navigator.onLine === false;
  const area = document.querySelector("[data-outbox]");
  const status = area && area.querySelector("[data-outbox-status]");

  function newKey() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // Each time a page is shown it gets fresh keys: every copy the phone kept is its own
  // handover, while a double tap on one page sends the same key twice (one handover).
  function freshKeys() {
    document.querySelectorAll("form[data-outbox-form] input[name=client_key]").forEach((input) => {
      input.value = newKey();
    });
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function time(ms) {
    return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function line(item) {
    const li = document.createElement("li");
    const label = document.createElement("strong");
    const text = document.createElement("span");
    li.className = `outbox-item outbox-${item.state}`;
    if (item.state === "waiting") {
      label.textContent = "Waiting to send: ";
      text.textContent = `Kit ${item.kit}: ${item.what}. Kept on this phone at ${time(item.queuedAt)}.`;
      if (item.message) {
        text.textContent += ` ${item.message}`;
      }
    } else if (item.state === "sent") {
      label.textContent = "Sent: ";
      text.textContent = item.message || `Kit ${item.kit}: ${item.what}.`;
    } else {
      label.textContent = "Not recorded: ";
      text.textContent = `Kit ${item.kit}: ${item.what}. ${item.message}`;
    }
    li.append(label, text);
    if (item.state === "refused") {
      const done = document.createElement("button");
      done.type = "button";
      done.className = "btn btn-outline-primary d-block mt-2";
      done.textContent = `I have read this: remove kit ${item.kit} from the list`;
      done.addEventListener("click", async () => {
        await outbox.forget(item.key);
        render(await outbox.list());
        area.querySelector("[data-outbox-title]").focus();
      });
      li.append(done);
    }
    return li;
  }

  async function render(items) {
    const mine = items.filter((item) => item.user === user);
    const waiting = mine.filter((item) => item.state === "waiting");
    if (area) {
      area.querySelector("[data-outbox-title]").textContent = waiting.length
        ? `Waiting to send (${waiting.length})`
        : "Handovers from this phone";
      area.querySelector("[data-outbox-list]").replaceChildren(...mine.map(line));
      area.querySelector("[data-outbox-send]").hidden = !waiting.length;
      area.hidden = !mine.length && !offline();
      guardKitForms(waiting);
    }
    // Shown once: a sent handover is on the server now.
    await Promise.all(mine.filter((item) => item.state === "sent").map((item) => outbox.forget(item.key)));
  }

  // One kit, one waiting handover: the next one for it waits until the first has gone,
  // since the page shows the kit as it was before it.
  function guardKitForms(waiting) {
    let anyHeld = false;
    document.querySelectorAll("form[data-outbox-form]").forEach((form) => {
      const held = waiting.some((item) => item.url === formPath(form));
      anyHeld = anyHeld || held;
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = held;
      });
    });
    const note = document.querySelector("[data-outbox-kit-note]");
    if (note) {
      note.hidden = !anyHeld;
    }
  }

  function formPath(form) {
    // Not form.action: the kit page's forms have a field named "action".
    return new URL(form.getAttribute("action") || location.href, location.href).pathname;
  }

  let sending = false;
  async function send() {
    if (offline() || sending) {
      return;
    }
    const before = (await outbox.list()).filter((item) => item.user === user && item.state === "waiting");
    if (!before.length) {
      render(await outbox.list());
      return;
    }
    sending = true;
    say(`Sending ${before.length === 1 ? "1 handover" : `${before.length} handovers`}…`);
    try {
      const token = document.querySelector("input[name=csrfmiddlewaretoken]");
      const items = await outbox.flush({ user, csrf: token ? token.value : "" });
      const left = items.filter((item) => item.user === user && item.state === "waiting").length;
      const refused = items.filter((item) => item.user === user && item.state === "refused").length;
      await render(items);
      say(
        left
          ? "Some handovers could not be sent yet. They stay on this phone."
          : refused
            ? "Sent. Some handovers were not recorded: see below."
            : "All handovers sent.",
      );
    } finally {
      sending = false;
    }
  }

  function keep(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    return outbox.add({
      url: formPath(form),
      body: new URLSearchParams(data).toString(),
      kit: form.dataset.outboxKit || "",
      what: form.dataset.outboxWhat || outbox.describe(data),
      user,
    });
  }

  document.querySelectorAll("form[data-outbox-form]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (!offline()) {
        return; // sent as usual; if the signal drops on the way, the worker keeps it
      }
      event.preventDefault();
      const counts = Array.from(form.querySelectorAll("input[type=number]"));
      const wrong = counts.find((input) => !input.checkValidity() || (form.dataset.outboxCount && input.value === ""));
      if (wrong) {
        wrong.setCustomValidity(wrong.value === "" ? "Say how many." : `From ${wrong.min || 0} to ${wrong.max}.`);
        wrong.reportValidity();
        wrong.addEventListener("input", () => wrong.setCustomValidity(""), { once: true });
        return;
      }
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = true;
      });
      await keep(form, event.submitter);
      if (workers && workers.controller) {
        location.assign(form.dataset.outboxDone); // the kept scan page, as after sending
        return;
      }
      say("Kept on this phone. It will be sent when there is signal.");
      render(await outbox.list());
    });
  });

  // The sign-out button: say so if handovers are not sent yet, and take the kept pages
  // (they name makers) off the phone.
  function askToStay(count) {
    const text = `You have ${count === 1 ? "1 handover" : `${count} handovers`} not sent yet. Stay signed in until you have signal again?`;
    if (typeof HTMLDialogElement !== "function") {
      return Promise.resolve(window.confirm(text));
    }
    const dialog = document.createElement("dialog");
    dialog.className = "outbox-dialog";
    dialog.setAttribute("aria-labelledby", "outbox-dialog-title");
    dialog.innerHTML =
      '<h2 class="h4" id="outbox-dialog-title">Handovers not sent yet</h2><p></p>' +
      '<form method="dialog" class="button-row">' +
      '<button class="btn btn-primary btn-lg" value="stay" autofocus>Stay signed in</button>' +
      '<button class="btn btn-outline-primary btn-lg" value="leave">Sign out anyway</button></form>';
    dialog.querySelector("p").textContent = `${text} They are sent only while you are signed in.`;
    document.body.append(dialog);
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        dialog.remove();
        resolve(dialog.returnValue !== "leave");
      });
      dialog.showModal();
    });
  }

  document.querySelectorAll("form[data-signout]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const waiting = (await outbox.list()).filter((item) => item.user === user && item.state === "waiting");
        if (waiting.length && (await askToStay(waiting.length))) {
          return;
        }
        await outbox.setUser("");
        if (window.caches) {
          await window.caches.delete("scrubhub-pages");
        }
      } catch (error) {
        // Signing out must never depend on this.
      }
      form.submit();
    });
  });

  if (area) {
    area.querySelector("[data-outbox-send]").addEventListener("click", send);
  }
  if (offline()) {
    // A kept copy: what it said when it was kept ("Done: ...") is not news now.
    document.querySelectorAll(".messages").forEach((box) => {
      box.hidden = true;
    });
    const code = new URLSearchParams(location.search).get("code");
    if (code && area) {
      say(`Kit ${code.toUpperCase()} was not opened on this phone before, so it cannot be opened with no signal. Write down the code and what happened, and record it when you have signal.`);
    } else {
      say("No signal. What you record is kept on this phone and sent when there is signal.");
    }
  }
  window.addEventListener("online", () => {
    say("Signal is back.");
    send();
  });
  window.addEventListener("offline", async () => {
    say("No signal. What you record is kept on this phone and sent when there is signal.");
    render(await outbox.list());
  });
  window.addEventListener("pageshow", async (event) => {
    if (event.persisted) {
      freshKeys();
      render(await outbox.list());
    }
  });

  freshKeys();
  outbox.setUser(user).catch(() => undefined);
  outbox.list().then(render).then(send).catch(() => undefined);
})();
