// Add and remove repeating rows in forms. A button [data-add-row=TEMPLATE_ID][data-prefix=LIST_NAME]
// clones <template id=TEMPLATE_ID>, replacing __PREFIX__ with LIST_NAME-<new index>; the server
// (WTForms FieldList) accepts any increasing indices, so gaps left by removed rows are harmless.
// Focus follows the user: into the new row's first field, and after a removal to the neighbouring
// row (or the list's add button), never to the page body.
(function () {
  let counter = 1000;

  function firstField(element) {
    return element && element.querySelector("input:not([type=hidden]), textarea, select, button");
  }

  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const template = document.getElementById(add.dataset.addRow);
      const list = document.querySelector(`[data-list="${add.dataset.prefix}"]`);
      counter += 1;
      const html = template.innerHTML.replaceAll("__PREFIX__", `${add.dataset.prefix}-${counter}`);
      list.insertAdjacentHTML("beforeend", html);
      const row = list.lastElementChild;
      row.dispatchEvent(new CustomEvent("rows:added", { bubbles: true }));
      const first = firstField(row);
      if (first) first.focus();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest("[data-row]");
      if (!row) return;
      const list = row.parentElement;
      const next = row.nextElementSibling || row.previousElementSibling;
      const addButton = list && list.dataset.list &&
        document.querySelector(`[data-add-row][data-prefix="${list.dataset.list}"]`);
      row.remove();
      const target = firstField(next) || addButton;
      if (target) target.focus();
    }
  });
})();
