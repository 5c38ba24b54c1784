// Page behaviour of shinchoku, kept out of the HTML: the Content-Security-Policy runs no inline
// script and no on…= attribute.

// <select data-autosubmit>: choosing an entry submits its form (year pickers, municipality switcher);
// requestSubmit fires the submit event, so htmx and validation see it as a normal submit.
document.addEventListener("change", function (event) {
  var select = event.target.closest && event.target.closest("select[data-autosubmit]");
  if (!select || !select.form) return;
  if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
});
