// The funding sources of an action (web/fields.py FundingSharesField): the tick decides on the server, so typing
// an amount ticks its row and unticking a row empties its amount. Without JavaScript the form works the same,
// the user ticks by hand.
(function () {
  "use strict";
  document.querySelectorAll("table.funding-shares").forEach(function (table) {
    if (table.dataset.ready) { return; }
    table.dataset.ready = "1";
    table.querySelectorAll("tr").forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]");
      var amount = row.querySelector("input[type=text]");
      if (!box || !amount) { return; }
      amount.addEventListener("input", function () {
        if (amount.value.trim() !== "") { box.checked = true; }
      });
      box.addEventListener("change", function () {
        if (!box.checked) { amount.value = ""; }
      });
    });
  });
})();
