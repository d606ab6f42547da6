// detwiki: "My telemetry" chosen on the site. The events one collects are kept in the browser's
// local storage ("detwiki-telemetry": a list of event keys, provider|channel|id), chosen on
// telemetry/index.html; with a choice, the ATT&CK matrix and technique pages say how many rules
// can fire with it (the rules list filters by it: see app.js). A build made with --telemetry
// says so itself, and this script then leaves those pages alone. Loaded by app.js only on the
// choice page or when a choice is kept; needs assets/telemetry-data.js (window.DETWIKI_TELEMETRY).
(function () {
  'use strict';
  var KEY = 'detwiki-telemetry';
  var data = window.DETWIKI_TELEMETRY;
  if (!data) return;
  var root = document.body.getAttribute('data-root') || '';
  function chosen() {
    try { var v = JSON.parse(window.localStorage.getItem(KEY) || '[]'); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  function save(keys) {
    try {
      if (keys.length) window.localStorage.setItem(KEY, JSON.stringify(keys));
      else window.localStorage.removeItem(KEY);
    } catch (e) { /* storage refused: the choice lasts this page only */ }
  }
  // Per rule: 'fires' (one of its events is collected), 'blind' or 'no_events'.
  function verdicts(keys) {
    var set = {};
    data.events.forEach(function (e, i) { if (keys.indexOf(e[0]) >= 0) set[i] = true; });
    return data.rules.map(function (evs) {
      if (!evs.length) return 'no_events';
      return evs.some(function (i) { return set[i]; }) ? 'fires' : 'blind';
    });
  }
  function summary(v, rules) {
    var n = { fires: 0, blind: 0, no_events: 0 };
    rules.forEach(function (i) { n[v[i]]++; });
    var s = n.fires + ' of ' + rules.length + ' rules can fire with your telemetry';
    if (n.blind) s += '; ' + n.blind + ' read only events it does not collect';
    if (n.no_events) s += '; ' + n.no_events + ' name no known event';
    return s;
  }
  var all = data.rules.map(function (_, i) { return i; });
  var mine = chosen();
  window.DETWIKI_MY_TELEMETRY = mine.length ? verdicts(mine) : null;
  // a build made with --telemetry says it on the page already
  var server = document.getElementById('telemetry-note') ||
    Array.from(document.querySelectorAll('main dt')).some(function (dt) { return dt.textContent === 'Your telemetry'; });

  // ---- the choice page
  var box = document.getElementById('telemetry-choice');
  if (box) {
    var out = document.getElementById('telemetry-summary');
    var update = function () {
      var keys = Array.from(box.querySelectorAll('input[type=checkbox]:checked')).map(function (c) { return c.value; });
      save(keys);
      out.textContent = keys.length
        ? keys.length + (keys.length === 1 ? ' event chosen: ' : ' events chosen: ') + summary(verdicts(keys), all) + '.'
        : 'No event chosen: the wiki shows every rule as it is.';
    };
    var groups = {};
    data.events.forEach(function (e) { (groups[e[1]] = groups[e[1]] || []).push(e); });
    Object.keys(groups).sort().forEach(function (p) {
      var fs = document.createElement('fieldset');
      var lg = document.createElement('legend');
      lg.textContent = p;
      fs.appendChild(lg);
      groups[p].forEach(function (e) {
        var label = document.createElement('label');
        var c = document.createElement('input');
        c.type = 'checkbox'; c.value = e[0]; c.checked = mine.indexOf(e[0]) >= 0;
        c.addEventListener('change', update);
        label.appendChild(c);
        var a = document.createElement('a');
        a.href = root + e[3]; a.textContent = e[2];
        label.appendChild(document.createTextNode(' '));
        label.appendChild(a);
        fs.appendChild(label);
      });
      box.appendChild(fs);
    });
    var clear = document.getElementById('telemetry-clear');
    if (clear) {
      clear.hidden = false;
      clear.addEventListener('click', function () {
        box.querySelectorAll('input[type=checkbox]').forEach(function (c) { c.checked = false; });
        update();
      });
    }
    update();
  }
  var v = window.DETWIKI_MY_TELEMETRY;
  if (!v || server) return;

  // ---- the ATT&CK matrix: per technique, the rules that can fire; greyed when none can
  var matrix = document.getElementById('matrix');
  if (matrix) {
    matrix.querySelectorAll('.cell > a[href*="techniques/"]').forEach(function (a) {
      var m = a.getAttribute('href').match(/techniques\/([^/]+)\//);
      var rules = m && data.techniques[decodeURIComponent(m[1])];
      if (!rules) return;
      var n = rules.filter(function (i) { return v[i] === 'fires'; }).length;
      var span = document.createElement('span');
      span.className = 'fires';
      span.title = 'rules that can fire with your telemetry';
      span.textContent = n + ' can fire';
      a.appendChild(span);
      if (!n) a.parentNode.classList.add('blind');
    });
    var note = document.createElement('p');
    note.className = 'note';
    note.id = 'my-telemetry-note';
    note.textContent = 'With your telemetry (chosen on this site, kept in this browser): ' + summary(v, all) +
      '. Techniques none of whose rules can fire are greyed.';
    var grid = matrix.querySelector('.matrix');
    if (grid) matrix.insertBefore(note, grid);
  }
  // ---- a technique page: how many of its rules can fire
  var tm = window.location.pathname.match(/techniques\/([^/]+)\/(index\.html)?$/);
  var trules = tm && data.techniques[decodeURIComponent(tm[1])];
  var facts = document.querySelector('main dl.facts');
  if (trules && facts) {
    var d = document.createElement('div');
    d.id = 'my-telemetry';
    var dt = document.createElement('dt'); dt.textContent = 'Your telemetry';
    var dd = document.createElement('dd'); dd.textContent = summary(v, trules) + ' (chosen on this site)';
    d.appendChild(dt); d.appendChild(dd);
    facts.appendChild(d);
  }
})();
