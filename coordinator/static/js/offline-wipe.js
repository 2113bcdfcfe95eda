// Signing out wipes what a verifier downloaded to work without signal (static/js/verval-offline.js): the
// encrypted children and the unsent findings' key go with the session, on this phone too.
(function () {
  'use strict';
  function wipe() {
    try { sessionStorage.removeItem('sitisek-luring-key'); } catch (e) { /* private mode */ }
    if (window.indexedDB) { indexedDB.deleteDatabase('sitisek-luring'); }
    if (window.caches) { caches.delete('sitisek-luring-v1'); }  // the kept page carried this session's token
  }
  var forms = document.querySelectorAll('form[action$="/logout"]');
  for (var i = 0; i < forms.length; i++) forms[i].addEventListener('submit', wipe);
})();
