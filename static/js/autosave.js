// Saves each answer to the server as it is chosen, so a lost connection loses nothing.
// Without this script the form still works: "Save my answers" and "Submit answers" post it all.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector(".autosave-status");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text) { if (status) { status.textContent = text; } }

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
        if (response.status === 409) { window.location.reload(); }
      });
    }).catch(function () {
      say(form.getAttribute("data-offline-message"));
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-position]");
    if (fieldset) { save(fieldset); }
  });
})();
