// The only script the pages load besides htmx (no inline scripts: the CSP allows this origin only).
// Emissions form: "Add a line" copies the last line's fields with fresh names; without script the
// form still offers its empty lines and the CSV upload.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-add-line]");
  if (!button) return;
  var lines = document.getElementById(button.getAttribute("data-add-line"));
  var last = lines && lines.lastElementChild;
  if (!last) return;
  var copy = last.cloneNode(true);
  var index = lines.children.length;
  copy.querySelectorAll("[name], [id], [for], legend").forEach(function (el) {
    ["name", "id", "for"].forEach(function (attr) {
      var value = el.getAttribute(attr);
      if (value) el.setAttribute(attr, value.replace(/\d+/, String(index)));
    });
    if (el.tagName === "LEGEND") el.textContent = el.textContent.replace(/\d+/, String(index + 1));
    if (el.tagName === "INPUT") el.value = "";
    el.removeAttribute("aria-invalid");
  });
  copy.querySelectorAll(".error").forEach(function (el) { el.remove(); });
  lines.appendChild(copy);
  var first = copy.querySelector("select, input");
  if (first) first.focus();
});
