// detwiki: search (same ranking as the server's /api/search, see crates/site/src/search.rs),
// and filters, sorting and paging for the rules list. Pages are complete without it.
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
  // Tokens: runs of letters and digits, two characters or more, or a single digit.
  function tokens(s) {
    return s.split(/[^\p{L}\p{N}]+/u).filter(function (t) { return Array.from(t).length >= 2 || /^[0-9]$/.test(t); })
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
    if (ql >= 4 && !/^[0-9]+$/.test(q)) { // numbers (event ids) are exact
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
      return { title: d[0], url: d[1], corpus: d[2], level: d[3], id: d[4], kind: d[5], rules: d[6], language: d[7],
        score: h[1] };
    });
  }
  var kinds = { rule: 'Rule', technique: 'Technique', tactic: 'Tactic', event: 'Event', provider: 'Event provider',
    field: 'Field', author: 'Author', logsource: 'Logsource', platform: 'Platform', sample: 'Sample file' };
  // A result: its title, then a line saying what kind of page it is and what is on it.
  function hitItem(h, id) {
    var li = document.createElement('li');
    if (id) { li.id = id; li.setAttribute('role', 'option'); }
    var a = document.createElement('a');
    a.href = root + h.url;
    var title = document.createElement('span');
    title.className = 'hit-title';
    title.textContent = h.title;
    a.appendChild(title);
    a.appendChild(document.createTextNode(' '));
    var small = document.createElement('small');
    var kind = document.createElement('span');
    kind.className = 'hit-kind';
    kind.textContent = kinds[h.kind] || 'Page';
    small.appendChild(kind);
    var more = h.kind === 'rule' ? [h.language, h.corpus, h.level, h.id] : [h.rules + (h.rules === 1 ? ' rule' : ' rules')];
    small.appendChild(document.createTextNode(more.filter(Boolean).map(function (x) { return ' · ' + x; }).join('')));
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
        var li = document.createElement('li'); li.className = 'empty'; li.textContent = 'Nothing matches.';
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
        status.textContent = (hits.length === 1 ? '1 page matches' : hits.length + ' pages match') + ' “' + query + '”.';
        hits.forEach(function (h) { pageResults.appendChild(hitItem(h)); });
      }, function () { status.textContent = 'The search index could not be loaded.'; });
    } else {
      status.textContent = 'Type in the search box above.';
    }
  }

  // ---- pages of rules in a catalog of several languages: chips that show one language's rules
  var chips = document.getElementById('language-chips');
  if (chips) {
    var rulesSection = document.getElementById('rules');
    var chipButtons = Array.from(chips.querySelectorAll('button[data-lang]'));
    var showLanguage = function (lang) {
      chipButtons.forEach(function (b) { b.setAttribute('aria-pressed', b.getAttribute('data-lang') === lang ? 'true' : 'false'); });
      rulesSection.querySelectorAll('table.rules').forEach(function (t) {
        var shown = 0;
        Array.from(t.tBodies[0].rows).forEach(function (tr) {
          var on = !lang || tr.getAttribute('data-lang') === lang;
          tr.hidden = !on;
          if (on) shown++;
        });
        // A corpus with no rule of that language: its heading and table go too.
        var wrap = t.parentNode, head = wrap.previousElementSibling;
        wrap.hidden = !shown;
        if (head && head.tagName === 'H3') head.hidden = !shown;
      });
    };
    chipButtons.forEach(function (b) {
      b.addEventListener('click', function () { showLanguage(b.getAttribute('data-lang')); });
    });
    chips.hidden = false;
  }

  // ---- "My telemetry" chosen on the site (telemetry/index.html, kept in local storage):
  // assets/telemetry.js, with its data, on the choice page or when a choice is kept
  var myTelemetry = null;
  (function () {
    var kept = false;
    try { kept = !!window.localStorage.getItem('detwiki-telemetry'); } catch (e) { /* no storage */ }
    if (!kept && !document.getElementById('telemetry-choice')) return;
    var add = function (src) {
      return new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = root + src; s.onload = resolve; s.onerror = reject;
        document.head.appendChild(s);
      });
    };
    myTelemetry = add('assets/telemetry-data.js').then(function () { return add('assets/telemetry.js'); })
      .then(function () { return window.DETWIKI_MY_TELEMETRY; }, function () { return null; });
  })();

  // ---- the rules list: every rule from assets/rules-list.js, filtered, sorted and paged here
  var table = document.getElementById('rules-table');
  var form = document.getElementById('filters');
  if (table && form) {
    var script = function (src, name) {
      return new Promise(function (resolve, reject) {
        if (window[name]) return resolve(window[name]);
        var s = document.createElement('script');
        s.src = root + src;
        s.onload = function () { resolve(window[name]); };
        s.onerror = function () { reject(new Error('no ' + src)); };
        document.head.appendChild(s);
      });
    };
    Promise.all([script('assets/rules-list.js', 'DETWIKI_RULES'), myTelemetry]).then(function (got) {
      var data = got[0], mine = got[1];
      // The telemetry chosen on the site, when the build has none: a verdict per rule, and its filter.
      if (mine && !form.querySelector('select[name=telemetry]')) {
        data.rows.forEach(function (r, i) { r[9] = mine[i]; });
        var label = document.createElement('label');
        label.appendChild(document.createTextNode('Your telemetry'));
        var sel = document.createElement('select');
        sel.name = 'telemetry'; sel.setAttribute('data-filter', 'telemetry');
        [['', 'all'], ['fires', 'can fire'], ['blind', 'cannot fire (events not collected)'], ['no_events', 'no known event']]
          .forEach(function (o) { var op = document.createElement('option'); op.value = o[0]; op.textContent = o[1]; sel.appendChild(op); });
        label.appendChild(sel);
        form.insertBefore(label, document.getElementById('shown'));
      }
      // Row: [title, url, level, status, product, source, tactic ids, corpus, date, telemetry verdict,
      // language (only in a catalog of several languages)].
      var all = data.rows, per = data.per_page;
      var levels = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };
      var statuses = { stable: 0, test: 1, experimental: 2, deprecated: 3, unsupported: 4 };
      var tacticNames = function (r) {
        return r[6] ? r[6].split(' ').map(function (t) { return data.tactics[t] || t; }).join(', ') : '';
      };
      // Column → the value it shows and the key it sorts by.
      var cols = [
        function (r) { return r[0].toLowerCase(); },
        function (r) { return r[2] in levels ? levels[r[2]] : 9; },
        function (r) { return r[3] in statuses ? statuses[r[3]] : 9; },
        function (r) { return r[4]; }, function (r) { return r[5]; },
        function (r) { return tacticNames(r).toLowerCase(); },
        function (r) { return r[7]; }, function (r) { return r[8]; }
      ];
      var field = { level: 2, status: 3, product: 4, source: 5, tactic: 6, corpus: 7, telemetry: 9, language: 10 };
      var selects = Array.from(form.querySelectorAll('select[data-filter]'));
      var shown = document.getElementById('shown');
      var note = document.getElementById('list-note');
      var pager = document.getElementById('pager');
      var heads = Array.from(table.tHead.rows[0].cells);
      var params = new URLSearchParams(window.location.search);
      var startPage = parseInt(table.getAttribute('data-page'), 10) || 1;
      var page = parseInt(params.get('page'), 10) || startPage;
      var sortCol = -1, asc = true;
      var named = ['rule', 'level', 'status', 'product', 'source', 'tactics', 'corpus', 'date'];
      if (params.get('sort')) {
        sortCol = named.indexOf(params.get('sort'));
        asc = params.get('dir') !== 'desc';
      }
      selects.forEach(function (s) { var v = params.get(s.name); if (v) s.value = v; });
      if (!pager) {
        pager = document.createElement('nav');
        pager.className = 'pager'; pager.id = 'pager';
        pager.setAttribute('aria-label', 'Pages of the rules list');
        table.parentNode.parentNode.insertBefore(pager, table.parentNode.nextSibling);
      }
      if (note) note.hidden = true;
      var cell = function (tr, text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; };
      var render = function () {
        var want = selects.map(function (s) { return [s.name, s.value]; }).filter(function (f) { return f[1]; });
        var rows = all.filter(function (r) {
          return want.every(function (f) {
            var v = r[field[f[0]]] || '';
            return f[0] === 'tactic' ? v.split(' ').indexOf(f[1]) >= 0 : v === f[1];
          });
        });
        if (sortCol >= 0) {
          var key = cols[sortCol];
          rows = rows.map(function (r, i) { return [key(r), i, r]; });
          rows.sort(function (x, y) {
            var c = x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
            return c ? (asc ? c : -c) : x[1] - y[1];
          });
          rows = rows.map(function (x) { return x[2]; });
        }
        var pages = Math.max(1, Math.ceil(rows.length / per));
        page = Math.min(Math.max(1, page), pages);
        var body = table.tBodies[0];
        var frag = document.createDocumentFragment();
        rows.slice((page - 1) * per, page * per).forEach(function (r) {
          var tr = document.createElement('tr');
          var a = document.createElement('a'); a.href = root + r[1]; a.textContent = r[0];
          cell(tr, '').appendChild(a);
          var lvl = document.createElement('span'); lvl.className = 'lvl lvl-' + r[2]; lvl.textContent = r[2];
          cell(tr, '').appendChild(lvl);
          [r[3], r[4], r[5], tacticNames(r), r[7], r[8]].forEach(function (v) { cell(tr, v); });
          frag.appendChild(tr);
        });
        body.textContent = '';
        body.appendChild(frag);
        var from = rows.length ? (page - 1) * per + 1 : 0, to = Math.min(page * per, rows.length);
        shown.textContent = (rows.length === all.length ? '' : rows.length + ' of ') + all.length +
          (all.length === 1 ? ' rule' : ' rules') + (pages > 1 ? '; showing ' + from + '–' + to : '');
        heads.forEach(function (th, i) {
          if (i === sortCol) th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
          else th.removeAttribute('aria-sort');
        });
        pager.textContent = '';
        pager.hidden = pages < 2;
        if (pages > 1) {
          var button = function (text, to, label) {
            var b = document.createElement('button');
            b.type = 'button'; b.textContent = text; b.disabled = to < 1 || to > pages || to === page;
            if (label) b.setAttribute('aria-label', label);
            b.addEventListener('click', function () { page = to; update(); table.scrollIntoView({ block: 'start' }); });
            pager.appendChild(b);
          };
          button('‹ Previous', page - 1, 'Previous page');
          var at = document.createElement('span');
          at.textContent = 'Page ' + page + ' of ' + pages;
          pager.appendChild(at);
          button('Next ›', page + 1, 'Next page');
        }
      };
      var update = function () {
        render();
        var p = new URLSearchParams();
        selects.forEach(function (s) { if (s.value) p.set(s.name, s.value); });
        if (sortCol >= 0) { p.set('sort', named[sortCol]); if (!asc) p.set('dir', 'desc'); }
        if (page !== startPage) p.set('page', page);
        var qs = p.toString();
        history.replaceState(null, '', qs ? '?' + qs : window.location.pathname);
      };
      selects.forEach(function (s) { s.addEventListener('change', function () { page = 1; update(); }); });
      heads.forEach(function (th, col) {
        var b = document.createElement('button');
        b.type = 'button'; b.textContent = th.textContent; th.textContent = ''; th.appendChild(b);
        b.addEventListener('click', function () {
          asc = sortCol === col ? !asc : true;
          sortCol = col; page = 1; update();
        });
      });
      form.hidden = false;
      update();
    }, function () {
      var note = document.getElementById('list-note');
      if (note) note.textContent += ' (The full list could not be loaded: filters and sorting are off.)';
    });
  }
})();
