// The staff menu on phones: one button opens and closes it (CSS shows it whole without JS).
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".nav-toggle");
  if (!toggle) return;
  var nav = document.getElementById(toggle.getAttribute("aria-controls"));
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
});

// A polled fragment with `data-etag` (the parent's live view) sends it as If-None-Match; the
// server answers 304 when nothing changed, and the page stays as it is (htmx would swap in
// the empty body of a 304).
document.addEventListener("htmx:configRequest", function (event) {
  var etag = event.detail.elt.getAttribute("data-etag");
  if (etag) event.detail.headers["If-None-Match"] = etag;
});
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 304) {
    event.detail.shouldSwap = false;
    event.detail.isError = false;
  }
});
