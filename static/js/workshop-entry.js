// Workshop entry screens and kit. Everything works without JavaScript; this only helps:
// - a draft of the form is kept in this tab (sessionStorage) until the server confirms a save;
// - Ctrl+Enter (or Cmd+Enter) anywhere in the form, and Enter on a drop-down list, save it;
// - the kit's Print button.
(function () {
  "use strict";
  var SKIP = { csrf_token: true, similar_checked: true, action: true, more: true };

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  function typedFields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      var type = element.type;
      return element.name && !SKIP[element.name] && type !== "submit" && type !== "button" &&
        type !== "hidden" && type !== "file";
    });
  }

  function announce(message) {
    var status = document.querySelector("[data-entry-status]");
    if (!status || !message) { return; }
    var line = document.createElement("p");
    line.className = "flash";
    line.textContent = message;
    status.appendChild(line);
  }

  function keepDraft(form) {
    var store = storage();
    var key = form.getAttribute("data-draft-key");
    if (!store || !key) { return; }
    var fields = typedFields(form);
    if (form.hasAttribute("data-saved")) { store.removeItem(key); }
    var draft = null;
    try {
      draft = JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      draft = null;
    }
    // Only into an empty form: what the server shows (kept input, errors) always wins.
    var empty = fields.every(function (element) {
      return element.tagName === "SELECT" || !element.value;
    });
    if (draft && empty) {
      var restored = false;
      fields.forEach(function (element) {
        var value = draft[element.name];
        if (typeof value === "string" && value !== "" && value !== element.value) {
          element.value = value;
          restored = true;
        }
      });
      if (restored) { announce(form.getAttribute("data-restored-message")); }
    }
    function save() {
      var values = {};
      fields.forEach(function (element) { values[element.name] = element.value; });
      try {
        store.setItem(key, JSON.stringify(values));
      } catch (error) {
        // Storage full or refused: the server still keeps what is sent.
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  }

  function submitDefault(form) {
    var button = form.querySelector("button[type=submit]");
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(button || undefined);
    } else if (button) {
      button.click();
    } else {
      form.submit();
    }
  }

  function keyboard(form) {
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing || event.altKey || event.shiftKey) { return; }
      var tag = event.target.tagName;
      if (tag === "BUTTON" || tag === "A") { return; }
      if (event.ctrlKey || event.metaKey || tag === "SELECT") {
        event.preventDefault();
        submitDefault(form);
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-entry-form]"), function (form) {
    keepDraft(form);
    keyboard(form);
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
