// The inspector's checklist without a network. Each change (an answer, a photo) is written
// to an outbox in IndexedDB with a client id made here, then sent to the API; the server
// applies a client id once, so sending again after a lost reply creates nothing twice.
// The page (and its class facts) is kept by the service worker, so it reopens offline, and
// the waiting changes are laid over it again. The status line says what still waits.
(function () {
  "use strict";
  var root = document.getElementById("inspect");
  if (!root) return;
  var data = root.dataset;
  var PAGES = "tuoguan-inspect-pages";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(data.swUrl, { scope: data.swScope }).catch(function () {});
  }
  function keepPage() {
    if (!window.caches) return Promise.resolve();
    return fetch(location.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return;
      return caches.open(PAGES).then(function (cache) {
        return cache.put(location.pathname + location.search, response);
      });
    }).catch(function () {});
  }
  if (data.editable !== "1" || !window.indexedDB) { keepPage(); return; }

  var status = document.getElementById("sync-status");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var visit = data.visit;
  var sending = false;
  var failed = false;

  var opened = new Promise(function (resolve, reject) {
    var request = indexedDB.open("tuoguan-inspect", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("outbox", { keyPath: "client_id" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  function store(mode, work) {
    return opened.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("outbox", mode);
        var request = work(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(request && request.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function waiting() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return rows.filter(function (row) { return row.visit === visit; })
        .sort(function (a, b) { return a.changed_at < b.changed_at ? -1 : 1; });
    });
  }
  function put(entry) { return store("readwrite", function (s) { return s.put(entry); }); }
  function drop(ids) {
    return store("readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
  }
  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function formOf(key) { return document.getElementById("item-" + key); }

  function show(rows) {
    var answers = rows.filter(function (r) { return r.kind === "answer"; }).length;
    var photos = rows.length - answers;
    var text = answers || photos
      ? answers + " " + data.textWaiting + " · " + photos + " " + data.textPhotos
      : data.textSent;
    if (!navigator.onLine && rows.length) text = data.textOffline + " " + text;
    if (failed) text += " " + data.textFailed;
    status.textContent = text;
    document.querySelectorAll(".check-item").forEach(function (form) {
      var mine = rows.filter(function (r) { return r.item_key === form.dataset.item; });
      form.querySelector(".item-state").textContent = mine.length ? data.textKept : "";
    });
  }
  function refresh() { return waiting().then(show); }

  function apply(rows) {
    rows.forEach(function (row) {
      var form = formOf(row.item_key);
      if (!form || row.kind !== "answer") return;
      form.querySelectorAll("input[name=result]").forEach(function (radio) {
        radio.checked = radio.value === row.result;
      });
      form.querySelector("textarea[name=notes]").value = row.notes;
    });
  }

  function queueAnswer(form) {
    var chosen = form.querySelector("input[name=result]:checked");
    return put({
      client_id: clientId(), visit: visit, kind: "answer", item_key: form.dataset.item,
      result: chosen ? chosen.value : "", notes: form.querySelector("textarea[name=notes]").value,
      changed_at: new Date().toISOString()
    });
  }
  function queuePhotos(form, input) {
    var files = Array.prototype.slice.call(input.files);
    input.value = "";
    return Promise.all(files.map(function (file) {
      return put({
        client_id: clientId(), visit: visit, kind: "photo", item_key: form.dataset.item,
        blob: file, name: file.name || "photo.jpg", changed_at: new Date().toISOString()
      });
    }));
  }

  function post(url, body, json) {
    var headers = { "X-CSRFToken": csrf };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body });
  }
  function sendAnswers(rows) {
    if (!rows.length) return Promise.resolve();
    var answers = rows.map(function (r) {
      return { client_id: r.client_id, item_key: r.item_key, result: r.result, notes: r.notes,
               changed_at: r.changed_at };
    });
    return post(data.answersUrl, JSON.stringify({ answers: answers }), true).then(function (response) {
      if (response.ok) return drop(rows.map(function (r) { return r.client_id; }));
      failed = true;
    });
  }
  function sendPhoto(row) {
    var body = new FormData();
    body.append("client_id", row.client_id);
    body.append("item_key", row.item_key);
    body.append("image", row.blob, row.name);
    return post(data.photosUrl, body, false).then(function (response) {
      if (response.ok) return drop([row.client_id]);
      failed = true;
    });
  }
  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    failed = false;
    return waiting().then(function (rows) {
      if (!rows.length) return false;
      var photos = rows.filter(function (r) { return r.kind === "photo"; });
      return sendAnswers(rows.filter(function (r) { return r.kind === "answer"; }))
        .then(function () {
          return photos.reduce(function (chain, row) {
            return chain.then(function () { return sendPhoto(row); });
          }, Promise.resolve());
        }).then(function () { return true; });
    }).then(function (sent) {
      sending = false;
      return refresh().then(function () { if (sent && !failed) return keepPage(); });
    }, function () {
      sending = false; // offline, or the server out of reach: everything stays in the outbox
      return refresh();
    });
  }

  document.querySelectorAll(".check-item").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var target = event.target;
      var queued = target.type === "file" ? queuePhotos(form, target) : queueAnswer(form);
      queued.then(refresh).then(flush);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      queueAnswer(form).then(refresh).then(flush);
    });
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", refresh);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  waiting().then(function (rows) { apply(rows); show(rows); return flush(); }).then(keepPage);
})();
