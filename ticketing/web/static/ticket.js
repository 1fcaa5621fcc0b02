/* The agent's ticket page (templates/ticket.html): a reply template fills the reply box, and the page
   tells the presence poll whether it is writing a reply. Everything here has a way without script:
   the "Insert" button puts a template in by reloading the page, and presence still shows "viewing". */
(function () {
  "use strict";
  var reply = document.getElementById("reply-text");
  var select = document.getElementById("reply-template");
  var mode = document.getElementById("presence-mode");
  var presence = document.getElementById("presence");
  var filled = reply ? reply.value : "";  // what a template put in last (unchanged text may be replaced)
  var timer = null;

  function report() {
    var now = reply && reply.value.trim() ? "replying" : "viewing";
    if (mode && mode.value !== now) {
      mode.value = now;
      if (presence) {
        presence.dispatchEvent(new CustomEvent("presence-change"));
      }
    }
  }

  if (select && reply) {
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var body = option ? option.getAttribute("data-body") : null;
      if (body === null) {
        return;
      }
      var typed = reply.value.trim() !== "" && reply.value !== filled;
      if (typed && !window.confirm(select.getAttribute("data-confirm") || "")) {
        return;
      }
      reply.value = body;
      filled = body;
      report();
    });
  }
  if (reply) {
    reply.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(report, 2000);
    });
  }
})();
