// Sections that fold on a phone (<details class="fold">): open on a wider screen, folded on a phone so a long page
// reads as a list of its sections; a link to a section (#terlambat) opens it. No library, within the CSP.
(function () {
  'use strict';
  var wide = window.matchMedia('(min-width: 641px)');
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var fold = target && target.closest('details.fold');
    if (fold && !fold.open) {
      fold.open = true;
      target.scrollIntoView();
    }
  }
  var folds = document.querySelectorAll('details.fold');
  for (var i = 0; i < folds.length; i++) {
    if (wide.matches || folds[i].hasAttribute('data-open-on-phone')) folds[i].open = true;
  }
  openTarget();
  window.addEventListener('hashchange', openTarget);
})();
