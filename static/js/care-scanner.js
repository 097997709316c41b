// The door's scanner: reads a QR code from the camera with the vendored jsQR and submits it.
(function () {
  "use strict";
  var form = document.querySelector(".care-scan");
  if (!form || !navigator.mediaDevices || !window.jsQR) return;
  var video = form.querySelector("[data-qr-video]");
  var input = form.querySelector("[data-qr-input]");
  var toggle = form.querySelector("[data-qr-camera]");
  var canvas = document.createElement("canvas");
  var last = "";
  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d");
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var found = window.jsQR(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
      if (found && found.data && found.data !== last) {
        last = found.data;
        input.value = found.data;
        form.requestSubmit();
        setTimeout(function () { last = ""; }, 3000);
      }
    }
    requestAnimationFrame(tick);
  }
  function start() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      requestAnimationFrame(tick);
    }).catch(function () { if (toggle) toggle.hidden = true; });
  }
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", start);
  }
  if (document.body.classList.contains("kiosk")) start();
  document.body.addEventListener("htmx:afterRequest", function () { input.value = ""; });
})();
