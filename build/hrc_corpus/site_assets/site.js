/* Statement pages: show the card of the selected claim (click, keyboard, or the page's #claim-id). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var panel = document.getElementById("cards");
  if (!panel) { return; }
  var cards = panel.querySelectorAll(".card");
  var hint = panel.querySelector(".hint");
  var current = null;

  function claimId() {
    try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ""; }
  }

  function show(id, focus) {
    var card = null;
    for (var i = 0; i < cards.length; i++) {
      var on = cards[i].getAttribute("data-claim") === id;
      cards[i].hidden = !on;
      if (on) { card = cards[i]; }
    }
    if (current) { current.classList.remove("selected"); current.removeAttribute("aria-current"); }
    current = card ? document.getElementById(id) : null;
    if (current) { current.classList.add("selected"); current.setAttribute("aria-current", "true"); }
    hint.hidden = !!card;
    panel.classList.toggle("empty", !card);
    if (card) {
      panel.scrollTop = 0;
      if (focus) { card.focus({ preventScroll: true }); }
    }
  }

  function close() {
    var el = current;
    history.replaceState(null, "", location.pathname + location.search);
    show("", false);
    if (el) { el.focus(); }
  }

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("button.close");
    if (button) { close(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current) { close(); }
  });
  window.addEventListener("hashchange", function () { show(claimId(), true); });
  show(claimId(), false);
})();
