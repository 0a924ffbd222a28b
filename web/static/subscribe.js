// The 订阅 page's 复制地址 buttons. Without this file the address stays selectable
// text to copy by hand (the buttons stay hidden).
(function () {
  "use strict";
  function say(button, text) {
    button.closest(".programme").querySelector(".copied").textContent = text;
  }

  function copy(button) {
    var field = document.getElementById(button.dataset.copy);
    field.focus();
    field.select();
    var done = function () { say(button, "已复制。请打开播客 App，按下面第二步粘贴。"); };
    var byHand = function () { say(button, "没能自动复制：地址已选中，请按住地址选择「复制」。"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, byHand);
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    } else {
      byHand();
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
  document.querySelectorAll(".subscribe textarea[readonly]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
}());
