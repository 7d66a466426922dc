// Budget: the page the budget service's figures will fill; until then, an empty state.
import { el } from "./lib.js";

export async function render(root) {
  root.append(el("div", { class: "empty" },
    el("h2", {}, "No budgets to show yet"),
    el("p", {}, "This page will show what each connected AWS account costs per month at AWS list prices: " +
      "totals by service and by component, and how the cost changed with each sync."),
    el("p", {}, "Budgets come from your accounts' live diagrams: ",
      el("a", { href: "/app/accounts" }, "check that your AWS accounts are connected and synced"), ".")));
}
