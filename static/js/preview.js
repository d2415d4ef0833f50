// The live preview of a proposal's text. Without JavaScript the form's Preview button shows the
// same preview (the page is sent, nothing is saved); this only makes it follow the typing.
(function () {
  "use strict";

  var section = document.querySelector("#preview[data-preview-url]");
  var form = section && section.closest("form");
  var body = form && form.querySelector("textarea[name=body]");
  if (!body) { return; }
  var shown = section.querySelector("[data-preview-text]");
  var timer = null;
  var asked = null;

  function refresh() {
    var text = body.value;
    if (text === asked) { return; }
    asked = text;
    var data = new FormData();
    data.append("body", text);
    var token = form.querySelector("input[name=csrf_token]");
    if (token) { data.append("csrf_token", token.value); }
    fetch(section.dataset.previewUrl, {
      method: "POST", body: data, credentials: "same-origin", redirect: "error",
      headers: {
        "Accept": "application/json",
        "X-Requested-With": "fetch",
        "X-CSRFToken": token ? token.value : ""
      }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        // A late answer to older text is dropped; the server's HTML is already sanitised.
        if (!answer || asked !== text) { return; }
        shown.innerHTML = answer.html;
        section.hidden = false;
      })
      .catch(function () { /* the Preview button still works */ });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  });
  if (body.value) { refresh(); }
}());
