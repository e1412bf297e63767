/* Claims index: filters on each vocabulary column and a text search over quote and summary.
   The table is rendered in the page; the data (assets/claims-data.js) loads when a filter is first used.
   The filter state lives in the address after '#', so a filtered view can be shared. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("filters");
  var table = document.getElementById("claims");
  if (!form || !table) { return; }
  var tbody = table.tBodies[0];
  var original = null;  // the page's own rows, put back when no filter is set
  var status = document.getElementById("status");
  var pager = document.querySelector("nav.pager");
  var show = parseInt(table.getAttribute("data-show"), 10) || 1000;
  var names = ["claim_type", "checkworthy", "attribution", "topic", "q"];
  var data = null, haystack = null, topics = null, waiting = false;
  form.hidden = false;

  function state() {
    var params = new URLSearchParams();
    names.forEach(function (name) {
      var value = form.elements[name].value;
      if (value.trim() !== "") { params.set(name, value); }
    });
    return params;
  }

  function setFromAddress() {
    var params = new URLSearchParams(location.hash.slice(1));
    names.forEach(function (name) {
      var el = form.elements[name];
      var value = params.get(name) || "";
      if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) { value = ""; }
      el.value = value;
    });
    return params;
  }

  function load(then) {
    if (data) { then(); return; }
    if (waiting) { return; }
    waiting = true;
    status.textContent = "Loading the claims…";
    var script = document.createElement("script");
    script.src = "assets/claims-data.js";
    script.onload = function () {
      data = window.HRC_CLAIMS;
      haystack = data.rows.map(function (r) { return (r[6] + "\n" + r[7]).toLowerCase(); });
      topics = data.rows.map(function (r) { return r[5] === "" ? [] : r[5].split(" "); });
      waiting = false;
      apply();
    };
    script.onerror = function () { waiting = false; status.textContent = "The claims data could not be loaded."; };
    document.head.appendChild(script);
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  // rows: [claim_id, statement index, claim_type, checkworthy, attribution, topics, quote, summary]
  function row(r) {
    var s = data.statements[r[1]];  // [statement_id, date, title]
    var tr = document.createElement("tr");
    tr.id = "row-" + r[0];
    cell(tr, s[1], "nowrap");
    cell(tr, s[2]);
    var type = cell(tr, "");
    var swatch = document.createElement("span");
    swatch.className = "swatch t-" + r[2];
    swatch.textContent = data.labels.claim_type[r[2]] || r[2];
    type.appendChild(swatch);
    cell(tr, data.labels.checkworthy[r[3]] || r[3]);
    cell(tr, data.labels.attribution[r[4]] || r[4]);
    cell(tr, r[5]);
    var quote = cell(tr, "");
    var a = document.createElement("a");
    a.href = "statements/" + encodeURIComponent(s[0] + ".html") + "#" + encodeURIComponent(r[0]);
    a.textContent = r[6];
    quote.appendChild(a);
    return tr;
  }

  function apply() {
    var params = state();
    var address = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (address ? "#" + address : ""));
    if (!address) {
      if (original) { tbody.replaceWith(original); tbody = original; original = null; }
      if (pager) { pager.hidden = false; }
      status.textContent = "";
      return;
    }
    if (!data) { load(apply); return; }
    var want = {};
    ["claim_type", "checkworthy", "attribution"].forEach(function (name, i) { want[i] = params.get(name); });
    var topic = params.get("topic");
    var q = (params.get("q") || "").trim().toLowerCase();
    var matches = [];
    for (var i = 0; i < data.rows.length; i++) {
      var r = data.rows[i];
      if ((want[0] && r[2] !== want[0]) || (want[1] && r[3] !== want[1]) || (want[2] && r[4] !== want[2])) { continue; }
      if (topic && topics[i].indexOf(topic) < 0) { continue; }
      if (q && haystack[i].indexOf(q) < 0) { continue; }
      matches.push(r);
    }
    var fresh = document.createElement("tbody");
    for (var k = 0; k < matches.length && k < show; k++) { fresh.appendChild(row(matches[k])); }
    if (!original) { original = tbody; }
    tbody.replaceWith(fresh);
    tbody = fresh;
    if (pager) { pager.hidden = true; }
    status.textContent = matches.length + " of " + data.rows.length + " claims match" +
      (matches.length > show ? "; the first " + show + " are shown: narrow the filter to see the rest." : ".");
  }

  var timer = null;
  form.addEventListener("change", function () { load(apply); });
  form.addEventListener("input", function (event) {
    if (event.target.name !== "q") { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { load(apply); }, 120);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); load(apply); });
  form.addEventListener("reset", function () { setTimeout(function () { load(apply); }, 0); });
  window.addEventListener("hashchange", function () { setFromAddress(); load(apply); });
  if (setFromAddress().toString() !== "") { load(apply); }
})();
