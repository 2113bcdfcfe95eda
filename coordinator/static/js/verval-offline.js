// The verifier's offline page (/verval/luring/): download the children of their desa, record findings without
// signal, send them when the signal is back. Everything kept on the phone (the package and the queued findings) is
// encrypted with AES-GCM under a key the server hands only to this session (POST /verval/luring/kunci); the key
// itself lives in sessionStorage, so a new tab on a lost phone without a session opens nothing. Plain JavaScript,
// no library, within the page's CSP.
(function () {
  'use strict';
  var app = document.getElementById('offline-app');
  if (!app) return;
  var DB = 'sitisek-luring', KEY_ITEM = 'sitisek-luring-key';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var status = document.getElementById('offline-status');
  var list = document.getElementById('offline-children');
  var pendingCount = document.getElementById('pending-count');
  var state = {key: null, pack: null, queue: [], conflicts: [], locked: false};

  function msg(name, params) {
    var text = app.getAttribute('data-msg-' + name) || name;
    Object.keys(params || {}).forEach(function (k) { text = text.replace('%(' + k + ')s', params[k]); });
    return text;
  }
  function say(text) { status.textContent = text; }
  function day(iso) {
    var locale = app.getAttribute('data-locale') === 'en' ? 'en-GB' : 'id-ID';
    return new Date(iso).toLocaleDateString(locale, {day: 'numeric', month: 'long', year: 'numeric'});
  }
  function deviceId() {
    var id = localStorage.getItem('sitisek-device');
    if (!id) { id = 'hp-' + crypto.randomUUID(); localStorage.setItem('sitisek-device', id); }
    return id;
  }

  // IndexedDB: one store of encrypted blobs ("package", "queue", "conflicts").
  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore('vault'); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function put(name, value) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction('vault', 'readwrite');
        tx.objectStore('vault').put(value, name);
        tx.oncomplete = function () { resolve(); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function get(name) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var req = d.transaction('vault').objectStore('vault').get(name);
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    });
  }
  function wipe() {
    sessionStorage.removeItem(KEY_ITEM);
    state = {key: null, pack: null, queue: [], conflicts: [], locked: false};
    return new Promise(function (resolve) {
      var req = indexedDB.deleteDatabase(DB);
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    });
  }

  // AES-GCM with the session's key (base64url of 32 bytes).
  function importKey(b64) {
    var raw = Uint8Array.from(atob(b64.replace(/-/g, '+').replace(/_/g, '/')), function (c) { return c.charCodeAt(0); });
    return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  }
  function seal(value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var data = new TextEncoder().encode(JSON.stringify(value));
    return crypto.subtle.encrypt({name: 'AES-GCM', iv: iv}, state.key, data).then(function (box) {
      return {iv: iv, box: box};
    });
  }
  function open(sealed) {
    if (!sealed) return Promise.resolve(null);
    return crypto.subtle.decrypt({name: 'AES-GCM', iv: sealed.iv}, state.key, sealed.box).then(function (plain) {
      return JSON.parse(new TextDecoder().decode(plain));
    });
  }
  function save() {
    return Promise.all([seal(state.queue), seal(state.conflicts), seal(state.pack)]).then(function (boxes) {
      return Promise.all([put('queue', boxes[0]), put('conflicts', boxes[1]), put('package', boxes[2])]);
    }).then(render);
  }
  // The child's finding is now this one: a second visit offline is checked against it, not against the first.
  function rebase(childId, verificationId) {
    if (!verificationId || !state.pack) return;
    state.pack.children.forEach(function (c) { if (c.id === childId) c.base = verificationId; });
  }
  function failed(response) {
    say(msg('refused') + ' (' + response.status + ')');  // a stale session or token is not "no signal"
    throw new Error(String(response.status));
  }

  function post(url, body) {
    return fetch(url, {method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
                       headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}});
  }

  function label(list, code) {
    var en = app.getAttribute('data-locale') === 'en';
    for (var i = 0; i < list.length; i++) if (list[i][0] === code) return en ? list[i][2] : list[i][1];
    return code || '–';
  }

  function finding(f) {
    return [label(state.pack.statuses, f.status), f.reason ? label(state.pack.reasons, f.reason) : '', f.verified_on,
            f.notes || ''].filter(Boolean).join(' · ');
  }

  function render() {
    pendingCount.textContent = String(state.queue.length);
    list.textContent = '';
    if (!state.pack) return;
    var queued = {};
    state.queue.forEach(function (r) { queued[r.child_id] = r; });
    var tpl = document.getElementById('child-template');
    state.pack.children.forEach(function (c) {
      var node = tpl.content.firstElementChild.cloneNode(true);
      node.dataset.child = c.id;
      node.querySelector('.name').textContent = c.name;
      node.querySelector('.meta').textContent = [c.sex, c.birth_year, c.dusun, c.rt && 'RT ' + c.rt,
                                                  c.rw && 'RW ' + c.rw, c.category].filter(Boolean).join(' · ');
      var mine = queued[c.id];
      node.querySelector('.state').textContent = mine ? finding(mine.fields) : label(state.pack.statuses, c.status);
      fill(node.querySelector('select[name=status]'), state.pack.statuses);
      fill(node.querySelector('select[name=reason]'), state.pack.reasons);
      fill(node.querySelector('select[name=willing_to_return]'), state.pack.willingness.map(function (w) {
        return [w, w, w]; }));
      node.querySelector('input[name=verified_on]').value = state.pack.today;
      node.querySelector('form').addEventListener('submit', function (event) { event.preventDefault(); record(c, node); });
      list.appendChild(node);
    });
    var box = document.getElementById('conflicts');
    var clist = document.getElementById('conflict-list');
    clist.textContent = '';
    box.hidden = state.conflicts.length === 0;
    state.conflicts.forEach(function (conflict) {
      var node = document.getElementById('conflict-template').content.firstElementChild.cloneNode(true);
      var child = state.pack.children.filter(function (c) { return c.id === conflict.record.child_id; })[0];
      node.querySelector('.name').textContent = child ? child.name : '';
      node.querySelector('.mine').textContent = finding(conflict.record.fields);
      node.querySelector('.theirs').textContent = finding(conflict.theirs) + (conflict.theirs.verifier ? ' · ' +
                                                                             conflict.theirs.verifier : '');
      var buttons = Array.prototype.slice.call(node.querySelectorAll('button[data-resolve]'));
      buttons.forEach(function (button) {
        button.addEventListener('click', function () { resolve(conflict, button.getAttribute('data-resolve'), buttons); });
      });
      clist.appendChild(node);
    });
  }

  function fill(select, options) {
    options.forEach(function (o) {
      var opt = document.createElement('option');
      opt.value = o[0];
      opt.textContent = app.getAttribute('data-locale') === 'en' ? o[2] : o[1];
      select.appendChild(opt);
    });
  }

  // The online form's rules, checked here first (the server checks them again).
  function record(child, node) {
    var form = node.querySelector('form');
    var errors = [];
    var fields = {
      status: form.status.value, reason: form.status.value === 'ats_valid' ? form.reason.value : '',
      willing_to_return: form.willing_to_return.value,
      disability: form.disability.value === 'yes' ? true : form.disability.value === 'no' ? false : null,
      notes: form.notes.value.trim().slice(0, 4000), verified_on: form.verified_on.value
    };
    if (!fields.status || !fields.verified_on) errors.push(msg('required'));
    if (fields.verified_on && fields.verified_on > state.pack.today) errors.push(msg('future'));
    var box = form.querySelector('.errors');
    box.textContent = '';
    box.hidden = errors.length === 0;
    errors.forEach(function (e) { var li = document.createElement('li'); li.textContent = e; box.appendChild(li); });
    if (errors.length) return;
    state.queue = state.queue.filter(function (r) { return r.child_id !== child.id; });
    state.queue.push({client_id: 'c-' + crypto.randomUUID(), child_id: child.id, base: child.base, fields: fields});
    save().then(function () { say(msg('saved')); if (navigator.onLine) sync(); });
  }

  function sync() {
    if (!state.queue.length || !navigator.onLine) { if (!navigator.onLine) say(msg('offline')); return Promise.resolve(); }
    var sending = state.queue.slice();
    return post(app.getAttribute('data-sync-url'), {records: sending}).then(function (response) {
      return response.ok ? response.json() : failed(response);
    }).then(function (body) {
      var done = {}, sent = 0, refused = [];
      body.results.forEach(function (r, i) {
        var record = sending[i];
        if (r.result === 'retry') return;  // the same record from another tab just now: it goes again
        done[record.client_id] = true;
        if (r.result === 'applied' || r.result === 'duplicate') { sent += r.result === 'applied'; rebase(record.child_id, r.verification_id); }
        if (r.result === 'conflict') {
          state.conflicts = state.conflicts.filter(function (c) { return c.record.client_id !== record.client_id; });
          state.conflicts.push({record: record, theirs: r.theirs || {}});
        }
        if (r.result === 'refused') refused.push(r.message || '');
      });
      state.queue = state.queue.filter(function (r) { return !done[r.client_id]; });
      return save().then(function () {
        if (refused.length) say(msg('refused') + ': ' + refused.join(', '));
        else if (sent) say(msg('sent', {n: sent}));
      });
    }).catch(function (err) { if (!navigator.onLine || err instanceof TypeError) say(msg('offline')); });
  }

  function resolve(conflict, choice, buttons) {
    buttons.forEach(function (b) { b.disabled = true; });  // one tap, one answer
    return post(app.getAttribute('data-sync-url'), {records: [Object.assign({}, conflict.record, {resolve: choice})]})
      .then(function (response) { return response.ok ? response.json() : failed(response); })
      .then(function (body) {
        var r = body.results[0] || {};
        if (r.result === 'applied' || r.result === 'duplicate') {
          state.conflicts = state.conflicts.filter(function (c) { return c !== conflict; });
          rebase(conflict.record.child_id, r.verification_id);
        } else if (r.result === 'conflict') {
          conflict.theirs = r.theirs || {};  // a newer finding came meanwhile: choose again
        } else if (r.result === 'refused') {
          state.conflicts = state.conflicts.filter(function (c) { return c !== conflict; });
          say(msg('refused') + ': ' + (r.message || ''));
        }
        return save();
      })
      .catch(function () { buttons.forEach(function (b) { b.disabled = false; }); say(msg('offline')); });
  }

  function download() {
    if (state.locked) { say(msg('sealed')); return Promise.resolve(); }  // never over findings not yet opened
    return post(app.getAttribute('data-prepare-url'), {device_id: deviceId()}).then(function (response) {
      return response.ok ? response.json() : failed(response);
    }).then(function (body) {
      sessionStorage.setItem(KEY_ITEM, body.key);
      return importKey(body.key).then(function (key) {
        state.key = key;
        state.pack = {children: body.children, statuses: body.statuses, reasons: body.reasons,
                      willingness: body.willingness, today: body.today, expires_at: body.expires_at};
        return seal(state.pack);
      }).then(function (sealed) {
        // How long it may be opened, counted on this phone's clock from now (its date may be wrong; a span is not).
        return put('package', sealed).then(function () {
          return put('expires', {ttl: Date.parse(body.expires_at) - Date.parse(body.now), at: Date.now()});
        });
      }).then(save).then(function () {
        say(msg('downloaded', {n: body.children.length, date: day(body.expires_at)}));
      });
    }).catch(function (err) { if (err instanceof TypeError) say(msg('offline')); });
  }

  function start() {
    get('expires').then(function (expires) {
      if (expires && (Date.now() - expires.at > expires.ttl || Date.now() < expires.at)) {
        return wipe().then(function () { say(msg('none')); });
      }
      return get('package').then(function (stored) {
        if (!stored) return null;  // nothing downloaded on this phone: no key to ask for
        var kept = sessionStorage.getItem(KEY_ITEM);
        if (!navigator.onLine) return kept;  // without signal: this tab's key, or nothing
        return post(app.getAttribute('data-key-url'), {device_id: deviceId()}).then(function (r) {
          return r.ok ? r.json().then(function (b) { return b.key; }) : null;  // a session ended: no key
        }, function () { return kept; });
      }).then(function (key) {
        if (!key) {
          sessionStorage.removeItem(KEY_ITEM);
          return get('package').then(function (p) { state.locked = !!p; say(msg(p ? 'sealed' : 'none')); });
        }
        sessionStorage.setItem(KEY_ITEM, key);
        return importKey(key).then(function (k) {
          state.key = k;
          return Promise.all([get('package'), get('queue'), get('conflicts')]);
        }).then(function (boxes) {
          return Promise.all(boxes.map(open));
        }).then(function (values) {
          state.pack = values[0];
          state.queue = values[1] || [];
          state.conflicts = values[2] || [];
          render();
          say(state.pack ? msg('downloaded', {n: state.pack.children.length,
                                              date: day(state.pack.expires_at)})
            : msg('none'));
          if (navigator.onLine) return sync();
        }).catch(function () { state.locked = true; say(msg('sealed')); });  // kept: never wiped unsent
      });
    });
  }

  document.getElementById('offline-download').addEventListener('click', download);
  document.getElementById('offline-sync').addEventListener('click', sync);
  window.addEventListener('online', sync);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register(app.getAttribute('data-sw-url'));
  start();
})();
