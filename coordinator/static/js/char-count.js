// The characters a long text box holds against its limit, as the writer types: "1.234 dari 10.000 karakter",
// and a warning past the limit (the server refuses such a text with a message; nothing is cut silently).
// Without JavaScript the box shows its limit in words.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "id";
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function number(n) {
    try { return n.toLocaleString(lang === "en" ? "en-GB" : "id-ID"); } catch (e) { return String(n); }
  }
  var boxes = document.querySelectorAll("textarea[data-max]");
  Array.prototype.forEach.call(boxes, function (box) {
    var counter = document.getElementById(box.id + "-count");
    var max = parseInt(box.getAttribute("data-max"), 10);
    if (!counter || !max) {
      return;
    }
    function update() {
      var n = box.value.length;
      var over = n > max;
      counter.textContent = fill(counter.getAttribute(over ? "data-over" : "data-text"),
                                 {n: number(n), max: number(max), extra: number(n - max)});
      counter.classList.toggle("over", over);
    }
    box.addEventListener("input", update);
    update();
  });
})();
