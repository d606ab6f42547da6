// detwiki: search (same ranking as the server's /api/search, see crates/site/src/search.rs),
// and filters and sorting for the rules list. Pages are complete without it.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var root = document.body.getAttribute('data-root') || '';

  // ---- search index, loaded on demand (a script, so it works from file:// too)
  var index = null, loading = null;
  function load() {
    if (index) return Promise.resolve(index);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var done = function () { index = window.DETWIKI_SEARCH; resolve(index); };
        if (window.DETWIKI_SEARCH) return done();
        var s = document.createElement('script');
        s.src = root + 'assets/search-index.js';
        s.onload = done;
        s.onerror = function () { loading = null; reject(new Error('no search index')); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }
  function tokens(s) {
    return s.split(/[^\p{L}\p{N}]+/u).filter(function (t) { return Array.from(t).length >= 2; })
      .map(function (t) { return t.toLowerCase(); });
  }
  function within(a, b, d) {
    a = Array.from(a); b = Array.from(b);
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 0; i < a.length; i++) {
      cur = [i + 1];
      var rowMin = cur[0];
      for (j = 0; j < b.length; j++) {
        var cost = a[i] === b[j] ? 0 : 1;
        cur.push(Math.min(prev[j] + cost, prev[j + 1] + 1, cur[j] + 1));
        rowMin = Math.min(rowMin, cur[j + 1]);
      }
      if (rowMin > d) return false;
      prev = cur;
    }
    return prev[b.length] <= d;
  }
  function matchScore(q, t) {
    if (q === t) return 10;
    var ql = Array.from(q).length;
    if (ql >= 2 && t.indexOf(q) === 0) return 7;
    if (ql >= 4) {
      var d = ql >= 8 ? 2 : 1;
      if (Math.abs(Array.from(t).length - ql) <= d && within(q, t, d)) return 5;
    }
    return 0;
  }
  function search(ix, query, limit) {
    var q = [];
    tokens(query).forEach(function (t) { if (q.indexOf(t) < 0 && q.length < 8) q.push(t); });
    if (!q.length) return [];
    var total = null;
    q.forEach(function (term) {
      var scores = new Map();
      for (var token in ix.terms) {
        var m = matchScore(term, token);
        if (!m) continue;
        var p = ix.terms[token];
        for (var k = 0; k < p.length; k += 2) {
          var s = m * p[k + 1], old = scores.get(p[k]);
          if (old === undefined || s > old) scores.set(p[k], s);
        }
      }
      if (total === null) { total = scores; return; }
      var next = new Map();
      total.forEach(function (s, doc) { if (scores.has(doc)) next.set(doc, s + scores.get(doc)); });
      total = next;
    });
    var hits = Array.from(total.entries());
    hits.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return hits.slice(0, limit).map(function (h) {
      var d = ix.docs[h[0]];
      return { title: d[0], url: d[1], corpus: d[2], level: d[3], id: d[4], score: h[1] };
    });
  }
  function hitItem(h, id) {
    var li = document.createElement('li');
    if (id) { li.id = id; li.setAttribute('role', 'option'); }
    var a = document.createElement('a');
    a.href = root + h.url;
    a.textContent = h.title;
    var small = document.createElement('small');
    small.textContent = [h.corpus, h.level, h.id].filter(Boolean).join(' · ');
    a.appendChild(small);
    li.appendChild(a);
    return li;
  }

  // ---- the header search box
  var input = document.getElementById('q');
  var list = document.getElementById('search-results');
  var selected = -1, timer = null;
  function close() {
    list.hidden = true; selected = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }
  function select(i) {
    var items = list.querySelectorAll('li[role=option]');
    if (!items.length) return;
    selected = (i + items.length) % items.length;
    items.forEach(function (li, k) { li.setAttribute('aria-selected', k === selected ? 'true' : 'false'); });
    input.setAttribute('aria-activedescendant', items[selected].id);
    items[selected].scrollIntoView({ block: 'nearest' });
  }
  function update() {
    var value = input.value;
    if (!value.trim()) { close(); return; }
    load().then(function (ix) {
      if (input.value !== value) return;
      var hits = search(ix, value, 10);
      list.textContent = '';
      hits.forEach(function (h, i) { list.appendChild(hitItem(h, 'sr-' + i)); });
      if (!hits.length) {
        var li = document.createElement('li'); li.className = 'empty'; li.textContent = 'No rule matches.';
        list.appendChild(li);
      }
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      if (hits.length) select(0);
    }, function () {
      list.textContent = '';
      var li = document.createElement('li'); li.className = 'empty'; li.textContent = 'Search index unavailable.';
      list.appendChild(li); list.hidden = false;
    });
  }
  if (input && list) {
    input.addEventListener('focus', function () { load().catch(function () {}); });
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(update, 60); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); if (list.hidden) update(); else select(selected + 1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); select(selected - 1); }
      else if (e.key === 'Escape') { close(); }
      else if (e.key === 'Enter' && !list.hidden && selected >= 0) {
        var a = list.querySelectorAll('li[role=option] a')[selected];
        if (a) { e.preventDefault(); window.location.href = a.href; }
      }
    });
    document.addEventListener('click', function (e) { if (!e.target.closest('.search')) close(); });
  }

  // ---- the search page
  var pageResults = document.getElementById('search-page-results');
  if (pageResults) {
    var query = new URLSearchParams(window.location.search).get('q') || '';
    var status = document.getElementById('search-status');
    if (input) input.value = query;
    if (query.trim()) {
      status.textContent = 'Searching…';
      load().then(function (ix) {
        var hits = search(ix, query, 100);
        status.textContent = hits.length + ' rule' + (hits.length === 1 ? '' : 's') + ' match “' + query + '”.';
        hits.forEach(function (h) { pageResults.appendChild(hitItem(h)); });
      }, function () { status.textContent = 'The search index could not be loaded.'; });
    } else {
      status.textContent = 'Type in the search box above.';
    }
  }

  // ---- the rules list: filters and sorting
  var table = document.getElementById('rules-table');
  var form = document.getElementById('filters');
  if (table && form) {
    var rows = Array.from(table.tBodies[0].rows);
    var selects = Array.from(form.querySelectorAll('select[data-filter]'));
    var shown = document.getElementById('shown');
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) { var v = params.get(s.name); if (v) s.value = v; });
    var apply = function () {
      var want = selects.map(function (s) { return [s.name, s.value]; }).filter(function (f) { return f[1]; });
      var n = 0;
      rows.forEach(function (r) {
        var ok = want.every(function (f) {
          var v = r.getAttribute('data-' + f[0]) || '';
          return f[0] === 'tactic' ? v.split(' ').indexOf(f[1]) >= 0 : v === f[1];
        });
        r.hidden = !ok; if (ok) n++;
      });
      shown.textContent = n + ' of ' + rows.length + ' rules';
      var p = new URLSearchParams();
      want.forEach(function (f) { p.set(f[0], f[1]); });
      var qs = p.toString();
      history.replaceState(null, '', qs ? '?' + qs : window.location.pathname);
    };
    selects.forEach(function (s) { s.addEventListener('change', apply); });
    form.hidden = false;
    apply();
    var rank = { critical: 0, high: 1, medium: 2, low: 3, informational: 4, '': 5 };
    Array.from(table.tHead.rows[0].cells).forEach(function (th, col) {
      var b = document.createElement('button');
      b.type = 'button'; b.textContent = th.textContent; th.textContent = ''; th.appendChild(b);
      b.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.from(table.tHead.rows[0].cells).forEach(function (x) { x.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var key = function (r) {
          var t = r.cells[col].textContent.trim();
          return th.getAttribute('data-sort') === 'level' ? String(rank[t] !== undefined ? rank[t] : 5) : t.toLowerCase();
        };
        rows.sort(function (x, y) { var a = key(x), c = key(y); return (a < c ? -1 : a > c ? 1 : 0) * (asc ? 1 : -1); });
        var body = table.tBodies[0];
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
})();
