// Upload progress for large files on slow connections (Kutim's offices): the form is sent in the background
// with the bytes sent shown, then "being read" while the server checks the tables; the page the server answers
// replaces this one's <main>. Without JavaScript the form simply posts as usual.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-upload-progress]");
  Array.prototype.forEach.call(forms, function (form) {
    var box = document.getElementById(form.getAttribute("data-upload-progress"));
    if (!box || !window.FormData || !window.DOMParser || !window.XMLHttpRequest) {
      return;
    }
    var bar = box.querySelector("progress");
    var label = box.querySelector("span");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
      }
      box.hidden = false;
      bar.value = 0;
      label.textContent = box.getAttribute("data-sending").replace("%s", "0");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round((100 * e.loaded) / e.total);
          bar.value = pct;
          label.textContent = box.getAttribute("data-sending").replace("%s", String(pct));
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        label.textContent = box.getAttribute("data-reading");
      });
      xhr.addEventListener("load", function () {
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = page.getElementById("main");
        var current = document.getElementById("main");
        if (!main || !current) {
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        document.title = page.title;
        current.parentNode.replaceChild(document.importNode(main, true), current);
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.history.replaceState(null, "", xhr.responseURL);
        }
        window.scrollTo(0, 0);
      });
      xhr.addEventListener("error", function () {
        HTMLFormElement.prototype.submit.call(form);
      });
      xhr.send(new FormData(form));
    });
  });
})();
