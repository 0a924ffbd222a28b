// Contest pages: a final step (submitting scores, withdrawing an entry) asks once more
// in a dialog. Without JavaScript the form's required confirmation checkbox does the same.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm], input[data-confirm]");
  if (!button || !button.form) return;
  if (!window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const box = button.form.querySelector("input[type=checkbox][data-confirms]");
  if (box) box.checked = true;  // the dialog was the confirmation
});
