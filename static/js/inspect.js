// The inspector's checklist without a network. Each change (a free item, an answer, a photo)
// is written to an outbox in IndexedDB with a client id made here, then sent to the API; the
// server applies a client id once, so sending again after a lost reply creates nothing twice.
// The page (and its class facts) is kept by the service worker, so it reopens offline, and
// the waiting changes are laid over it again. The status line says what still waits.
// A refused send (403/401) may only mean a stale CSRF token or an ended session: the page
// asks the server for a fresh token and sends again, or says to log in again; the outbox
// keeps everything meanwhile.
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
  var loginNeeded = false;

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
    var items = rows.filter(function (r) { return r.kind === "item"; }).length;
    var photos = rows.length - answers - items;
    var text = rows.length
      ? answers + " " + data.textWaiting + " · " + photos + " " + data.textPhotos
      : data.textSent;
    if (items) text += " · " + items + " " + data.textItems;
    if (!navigator.onLine && rows.length) text = data.textOffline + " " + text;
    if (failed && !loginNeeded) text += " " + data.textFailed;
    status.textContent = text;
    if (loginNeeded && rows.length) {
      status.appendChild(document.createTextNode(" " + data.textLogin + " "));
      var link = document.createElement("a");
      link.href = data.loginUrl;
      link.textContent = data.textLoginLink;
      status.appendChild(link);
    }
    document.querySelectorAll(".check-item").forEach(function (form) {
      var mine = rows.filter(function (r) { return r.item_key === form.dataset.item; });
      form.querySelector(".item-state").textContent = mine.length ? data.textKept : "";
    });
  }
  function refresh() { return waiting().then(show); }

  // A free item not yet on the server (or on a page kept before it was) is drawn here.
  function drawItem(row) {
    if (formOf(row.item_key)) return;
    var template = document.getElementById("free-item-template");
    var form = template.content.firstElementChild.cloneNode(true);
    form.id = "item-" + row.item_key;
    form.dataset.item = row.item_key;
    form.querySelector("input[name=item_key]").value = row.item_key;
    form.querySelector("input[name=client_id]").value = clientId();
    ["notes", "photo"].forEach(function (name) {
      var field = form.querySelector("#" + name + "-__KEY__");
      field.id = name + "-" + row.item_key;
      form.querySelector("label[for=" + name + "-__KEY__]").htmlFor = field.id;
    });
    form.querySelectorAll(".item-label").forEach(function (span, index) {
      span.textContent = (index ? " " : "") + row.label;
    });
    if (!row.is_veto) form.querySelector(".item-veto").remove();
    var list = document.getElementById("check-items");
    form.querySelector(".item-number").textContent = list.children.length + 1;
    list.appendChild(form);
    wire(form);
  }
  function apply(rows) {
    rows.filter(function (r) { return r.kind === "item"; }).forEach(drawItem);
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
  function queueItem(form) {
    var label = form.querySelector("[name=label]").value.trim();
    if (!label) return Promise.resolve(null);
    var id = clientId();
    var row = {
      client_id: id, visit: visit, kind: "item", item_key: "free-" + id, label: label,
      is_veto: form.querySelector("[name=is_veto]").checked, changed_at: new Date().toISOString()
    };
    return put(row).then(function () {
      form.reset();
      drawItem(row);
      return row;
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

  function send(url, body, json) {
    var headers = { "X-CSRFToken": csrf };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body });
  }
  // The token of a page kept for long may be stale, and the session may have ended: ask for
  // a fresh token once and send again; if the session is gone, say so and keep everything.
  function renewToken() {
    return fetch(data.tokenUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        loginNeeded = !answer.authenticated;
        if (answer.authenticated) {
          csrf = answer.csrf_token;
          document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
            input.value = csrf;
          });
        }
        return answer.authenticated;
      });
  }
  function post(url, body, json) {
    return send(url, body, json).then(function (response) {
      if (response.ok) loginNeeded = false;
      if (response.status !== 403 && response.status !== 401) return response;
      return renewToken().then(function (renewed) {
        return renewed ? send(url, body, json) : response;
      });
    });
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
  function sendItem(row) {
    var body = JSON.stringify({ client_id: row.client_id, label: row.label, is_veto: row.is_veto });
    return post(data.itemsUrl, body, true).then(function (response) {
      if (response.ok) return drop([row.client_id]).then(function () { return true; });
      failed = true;
      return false;
    });
  }
  function inTurn(rows, work) {
    return rows.reduce(function (chain, row) {
      return chain.then(function () { return work(row); });
    }, Promise.resolve());
  }
  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    failed = false;
    return waiting().then(function (rows) {
      if (!rows.length) return false;
      var unsent = {};
      // Free items first: the answers and photos of an item go once the server has it.
      return inTurn(rows.filter(function (r) { return r.kind === "item"; }), function (row) {
        return sendItem(row).then(function (ok) { if (!ok) unsent[row.item_key] = true; });
      }).then(function () {
        var later = rows.filter(function (r) { return r.kind !== "item" && !unsent[r.item_key]; });
        var photos = later.filter(function (r) { return r.kind === "photo"; });
        return sendAnswers(later.filter(function (r) { return r.kind === "answer"; }))
          .then(function () { return inTurn(photos, sendPhoto); });
      }).then(function () { return true; });
    }).then(function (sent) {
      sending = false;
      return refresh().then(function () { if (sent && !failed) return keepPage(); });
    }, function () {
      sending = false; // offline, or the server out of reach: everything stays in the outbox
      return refresh();
    });
  }

  function wire(form) {
    form.addEventListener("change", function (event) {
      var target = event.target;
      var queued = target.type === "file" ? queuePhotos(form, target) : queueAnswer(form);
      queued.then(refresh).then(flush);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      queueAnswer(form).then(refresh).then(flush);
    });
  }
  document.querySelectorAll("#check-items .check-item").forEach(wire);
  var adding = document.getElementById("free-item-form");
  if (adding) {
    adding.addEventListener("submit", function (event) {
      event.preventDefault();
      queueItem(adding).then(refresh).then(flush);
    });
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", refresh);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  waiting().then(function (rows) { apply(rows); show(rows); return flush(); }).then(keepPage);
})();
