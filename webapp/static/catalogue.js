/* Optional enhancements; every page works without JavaScript.
   Forms marked data-autosubmit submit themselves when a select is changed with the mouse or touch
   (sort order, page size). With the keyboard, arrow keys only move the choice (WCAG 3.2.2, On Input):
   Enter, or the form's visible button, applies it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select").forEach(function (select) {
      var byKeyboard = false;
      select.addEventListener("keydown", function (event) {
        byKeyboard = true;
        if (event.key === "Enter") {
          event.preventDefault();
          form.submit();
        }
      });
      select.addEventListener("pointerdown", function () { byKeyboard = false; });
      select.addEventListener("change", function () {
        if (!byKeyboard) { form.submit(); }
      });
    });
  });
})();
