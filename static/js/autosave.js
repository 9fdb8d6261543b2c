// Saves each answer to the server as it is chosen, so a lost connection loses nothing.
// Without this script the form still works: "Save my answers" and "Submit answers" post it all.
// Saves go one at a time, in the order the answers were given, so an older answer can never
// arrive after a newer one and overwrite it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector(".autosave-status");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var queue = Promise.resolve();
  var pending = 0;
  var leaving = false;

  function say(text) { if (status) { status.textContent = text; } }

  function setPending(change) {
    pending += change;
    form.setAttribute("data-pending", String(pending));
  }

  function save(fieldset) {
    var data = new FormData();
    data.append("position", fieldset.getAttribute("data-position"));
    fieldset.querySelectorAll("input, select").forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.value !== "") { data.append(field.name, field.value); }
    });
    return fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) {
        say(body.message);
        if (response.status === 409 && !leaving) { window.location.reload(); }
      });
    }).catch(function () {
      say(form.getAttribute("data-offline-message"));
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-position]");
    if (!fieldset || leaving) { return; }
    setPending(1);
    queue = queue.then(function () { return save(fieldset); }).then(function () { setPending(-1); });
  });

  // The buttons post every answer anyway; stop saving one by one once the form is sent.
  form.addEventListener("submit", function () { leaving = true; });
  form.setAttribute("data-pending", "0");
})();
