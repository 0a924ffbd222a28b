// Contest pages: a final step (submitting scores, withdrawing an entry) asks once more in
// a dialog (contest/_confirm.html). Without JavaScript the form's confirmation box, which
// the server requires, does the same.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  const dialog = document.getElementById("confirm-dialog");
  if (!button || !button.form || !dialog) return;
  event.preventDefault();
  dialog.querySelector("#confirm-dialog-text").textContent = button.dataset.confirm;
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue !== "yes") return;
    const box = button.form.querySelector("input[type=checkbox][data-confirms]");
    if (box) box.checked = true;  // answering the dialog is the confirmation
    button.form.requestSubmit(button);
  };
  dialog.showModal();
});
