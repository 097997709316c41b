// The room camera's player: plays the signed HLS address with the vendored hls.js (or the
// browser's own HLS), sends a heartbeat every 30 s that renews the link's token, and stops
// when the server refuses (the child checked out, care hours over, the camera reported broken).
(function () {
  "use strict";
  var box = document.querySelector("[data-camera-player]");
  if (!box) return;
  var video = box.querySelector("video");
  var status = box.querySelector("[data-camera-status]");
  var token = box.dataset.token;
  var stopped = false;
  var hls = null;
  function withToken(url) {
    // Every request carries the newest token: the playlist's own may have been renewed since.
    return url.replace(/([?&]t=)[^&]*/, "$1" + encodeURIComponent(token));
  }
  function stop(message) {
    stopped = true;
    if (hls) hls.destroy();
    video.removeAttribute("src");
    video.load();
    status.textContent = message || box.dataset.ended;
    status.className = "status-warn";
    box.dataset.state = "stopped";
  }
  function beat() {
    if (stopped) return;
    var body = new URLSearchParams({ t: token });
    fetch(box.dataset.heartbeat, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.dataset.csrf },
    }).then(function (response) {
      if (response.status === 204) {
        token = response.headers.get("X-Camera-Token") || token;
        return;
      }
      return response.text().then(function (text) { stop(text); });
    }).catch(function () { /* a lost beat: the next one tries again */ });
  }
  var src = box.dataset.src;
  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({
      enableWorker: false,
      xhrSetup: function (xhr, url) {
        if (url.indexOf("t=") !== -1) xhr.open("GET", withToken(url), true);
      },
    });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () { box.dataset.manifest = "parsed"; });
    hls.on(window.Hls.Events.FRAG_LOADED, function () { box.dataset.fragments = "loaded"; });
    hls.on(window.Hls.Events.ERROR, function (_event, data) {
      if (data.fatal) stop(box.dataset.ended);
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;
  } else {
    stop(box.dataset.unsupported);
    return;
  }
  video.play().catch(function () { /* autoplay refused: the controls are there */ });
  setInterval(beat, 30000);
})();
