// Budget: an account's live budget (GET /api/aws/account/{id}/budget) as a table by group with
// its total, a chart of cost by service (an SVG drawn here, labels as text), the components that
// could not be priced and why, what the latest sync changed (/budget/changes), and CSV and XLSX
// downloads (/budget/{csv|xlsx}). The options live in the page's URL, so a view can be bookmarked.
import { ApiError, api, el, errorText, message, pickAccount, replace, scrollBox, when } from "./lib.js";

const RETRY_MS = 3000;
const SVG = "http://www.w3.org/2000/svg";
const GROUPS = [["service", "Service"], ["region", "Region"], ["vpc", "VPC"], ["type", "Type"], ["tag", "Tag…"]];
const PERIODS = [["h", "Hour"], ["d", "Day"], ["w", "Week"], ["m", "Month"], ["y", "Year"]];
const PER = { h: "an hour", d: "a day", w: "a week", m: "a month", y: "a year" };
// Cloudcraft's currencies (docs/budget.md).
const CURRENCIES = ["USD", "AUD", "CHF", "DKK", "EUR", "GBP", "HKD", "JPY", "NOK", "NZD", "SEK", "ZAR"];
const CHART_SERVICES = 12;       // the largest services get a bar each, the rest one "other" bar
const CHANGES_SHOWN = 15;        // the largest changes; the rest behind "smaller changes"

export async function render(root) {
  const params = new URLSearchParams(location.search);
  const picked = await pickAccount(root, {
    path: "/app/budget", what: "budget",
    purpose: "The budget shows what an AWS account's components cost at AWS list prices, by service, " +
      "region, VPC or tag, and what each sync changed.",
  });
  if (!picked) return;
  const { accounts, account } = picked;
  new BudgetView(root, accounts, account, params).start();
}

// The view's options, from the page's URL (unknown values fall back to the defaults).
function readOptions(params) {
  const period = params.get("period");
  const currency = (params.get("currency") || "").toUpperCase();
  const groupBy = params.get("groupBy") || "service";
  return {
    region: params.get("region") || "all",
    groupBy: GROUPS.some(([v]) => v === groupBy) || groupBy.startsWith("tag:") ? groupBy : "service",
    period: PERIODS.some(([v]) => v === period) ? period : "m",
    currency: CURRENCIES.includes(currency) ? currency : "USD",
  };
}

function money(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "–";
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).format(Number(amount));
  } catch (error) {
    return `${amount} ${currency}`;
  }
}

class BudgetView {
  constructor(root, accounts, account, params) {
    this.root = root;
    this.accounts = accounts;
    this.account = account;
    this.options = readOptions(params);
    this.request = 0;          // the newest load; older answers are dropped
    this.retry = null;
  }

  start() {
    this.status = el("div", { class: "budget-status", "aria-live": "polite" });
    this.body = el("div", { class: "budget-body" });
    this.changes = el("section", { class: "budget-changes", "aria-labelledby": "budget-changes-title" });
    this.root.append(this.controls(), this.status, this.body, this.changes);
    this.load();
    this.loadChanges();
  }

  accountPath(suffix) {
    return `/api/aws/account/${encodeURIComponent(this.account.id)}/budget${suffix}`;
  }

  query(extra = {}) {
    const q = new URLSearchParams({ currency: this.options.currency, period: this.options.period, ...extra });
    if (this.options.region !== "all") q.set("region", this.options.region);
    return q;
  }

  setState(state) {
    this.root.dataset.budgetState = state;
  }

  // ---- controls ------------------------------------------------------------------------------

  controls() {
    const o = this.options;
    const accountSelect = el("select", { id: "budget-account", onchange: (e) => {
      const q = this.query();
      q.set("account", e.target.value);
      q.delete("region");       // another account has other regions
      location.assign(`/app/budget?${q}`);
    } }, this.accounts.map((a) => el("option", { value: a.id, selected: a === this.account }, a.name)));
    const regions = [...new Set([...this.account.regions, ...(o.region !== "all" ? [o.region] : [])])].sort();
    const regionSelect = el("select", { id: "budget-region", onchange: (e) => this.set({ region: e.target.value }) },
      el("option", { value: "all", selected: o.region === "all" }, "All regions"),
      regions.map((r) => el("option", { value: r, selected: r === o.region }, r)));

    const tagKey = o.groupBy.startsWith("tag:") ? o.groupBy.slice(4) : "";
    const groupValue = tagKey ? "tag" : o.groupBy;
    this.groupSelect = el("select", { id: "budget-group", onchange: () => this.groupChanged() },
      GROUPS.map(([v, t]) => el("option", { value: v, selected: v === groupValue }, t)));
    this.tagInput = el("input", { id: "budget-tag", value: tagKey, autocomplete: "off", size: 12 });
    this.tagField = el("form", { class: "tag-field", hidden: groupValue !== "tag", onsubmit: (e) => {
      e.preventDefault();
      this.groupChanged();
    } }, el("label", { for: "budget-tag" }, "Tag key"), this.tagInput,
      el("button", { type: "submit", class: "secondary small" }, "Group"));

    const currencySelect = el("select", { id: "budget-currency", onchange: (e) => this.set({ currency: e.target.value }) },
      CURRENCIES.map((c) => el("option", { value: c, selected: c === o.currency }, c)));
    const period = el("fieldset", { class: "control choice" }, el("legend", {}, "Period"),
      PERIODS.map(([value, text]) => el("label", { class: "check" },
        el("input", { type: "radio", name: "budget-period", value, checked: o.period === value,
          onchange: () => this.set({ period: value }) }), text)));

    this.csvLink = el("a", { class: "button secondary" }, "Download CSV");
    this.xlsxLink = el("a", { class: "button secondary" }, "Download XLSX");
    this.updateDownloads();
    return el("div", { class: "diagram-controls budget-controls" },
      el("div", { class: "control" }, el("label", { for: "budget-account" }, "Account"), accountSelect),
      el("div", { class: "control" }, el("label", { for: "budget-region" }, "Region"), regionSelect),
      el("div", { class: "control" }, el("label", { for: "budget-group" }, "Group by"), this.groupSelect, this.tagField),
      el("div", { class: "control" }, el("label", { for: "budget-currency" }, "Currency"), currencySelect),
      period,
      el("div", { class: "control downloads" }, el("span", { class: "label" }, "Export"),
        el("div", { class: "row-form" }, this.csvLink, this.xlsxLink)));
  }

  updateDownloads() {
    for (const [link, fmt] of [[this.csvLink, "csv"], [this.xlsxLink, "xlsx"]]) {
      link.href = `${this.accountPath(`/${fmt}`)}?${this.query()}`;
      link.setAttribute("download", "");      // the file's name comes from the answer
    }
  }

  groupChanged() {
    const value = this.groupSelect.value;
    this.tagField.hidden = value !== "tag";
    if (value !== "tag") {
      this.set({ groupBy: value });
      return;
    }
    const key = this.tagInput.value.trim();
    if (key) this.set({ groupBy: `tag:${key}` });
    else this.tagInput.focus();
  }

  set(changes) {
    Object.assign(this.options, changes);
    const q = this.query({ groupBy: this.options.groupBy });
    q.set("account", this.account.id);
    history.replaceState(null, "", `/app/budget?${q}`);
    this.updateDownloads();
    this.load();
  }

  // ---- the budget ----------------------------------------------------------------------------

  async load() {
    clearTimeout(this.retry);
    const request = ++this.request;
    const path = `${this.accountPath("")}?${this.query({ groupBy: this.options.groupBy })}`;
    this.root.dataset.budgetRequest = path;
    this.setState("loading");
    replace(this.status, el("p", { class: "muted" }, "Loading the budget…"));
    let reply;
    try {
      reply = await api("GET", path);
    } catch (error) {
      if (request === this.request) this.showError(error);
      return;
    }
    if (request !== this.request) return;
    if (reply.status === 202) {
      this.showProcessing();
      return;
    }
    replace(this.status);
    this.show(reply.data);
  }

  showProcessing() {
    this.setState("processing");
    replace(this.body);
    replace(this.status, el("div", { class: "empty" },
      el("h2", {}, "Still processing"),
      el("p", {}, `The budget of ${this.account.name} appears once its first sync has been priced. ` +
        "This page checks again every few seconds."),
      el("p", { class: "toolbar" },
        el("button", { type: "button", class: "secondary", onclick: () => this.load() }, "Check now"),
        el("a", { href: "/app/accounts" }, "See the sync's progress on the accounts page"))));
    this.retry = setTimeout(() => this.load(), RETRY_MS);
  }

  showError(error) {
    this.setState("error");
    replace(this.body);
    const gone = error instanceof ApiError && error.status === 404;
    const bad = error instanceof ApiError && error.status === 400;
    const what = gone ? "This account is gone, or you may no longer see it: choose another on the accounts page."
      : bad ? "Change the options above (e.g. the tag key) and the budget loads again."
        : "Try again; if it keeps failing, the budget service may be down: ask your administrator.";
    replace(this.status, message("error", `Could not load the budget: ${errorText(error)}. ${what}`),
      el("p", { class: "toolbar" },
        gone ? null : el("button", { type: "button", class: "secondary", onclick: () => this.load() }, "Try again"),
        el("a", { href: "/app/accounts" }, "Accounts")));
  }

  show(budget) {
    const currency = budget.currency;
    const per = PER[budget.period] || budget.period;
    const components = budget.components || [];
    const unpriced = budget.unpriced || [];
    if (components.length === 0 && unpriced.length === 0) {
      this.setState("empty");
      replace(this.body, el("div", { class: "empty" },
        el("h2", {}, "Nothing to price"),
        el("p", {}, this.options.region === "all"
          ? "The latest sync found no components in this account. Add resources in AWS, then sync it again from the accounts page."
          : "No components in this region: choose All regions, or another region."),
        el("p", {}, el("a", { href: "/app/accounts" }, "Accounts"))));
      return;
    }
    this.setState("ready");
    const summary = el("div", { class: "card budget-summary" },
      el("p", { class: "budget-total" }, el("span", { class: "muted" }, "Total "),
        el("strong", { id: "budget-total" }, money(budget.total, currency)), ` ${per}`),
      el("p", { class: "muted small" },
        `${count(components.length, "priced component", "priced components")}` +
        (unpriced.length ? `, ${unpriced.length} not priced (listed below)` : "") + ". Priced ", when(budget.pricedAt),
        ` from ${budget.priceSource || "AWS on-demand list prices (the packaged catalog)"}.`));
    replace(this.body, summary, this.groupTable(budget, per), this.chart(budget, currency, per),
      this.componentTable(components, currency), this.unpricedList(unpriced));
  }

  groupLabel() {
    const g = this.options.groupBy;
    return g.startsWith("tag:") ? `tag ${g.slice(4)}` : (GROUPS.find(([v]) => v === g) || [g, g])[1].toLowerCase();
  }

  groupTable(budget, per) {
    const total = Number(budget.total) || 0;
    const heading = this.options.groupBy.startsWith("tag:") ? `Tag ${this.options.groupBy.slice(4)}`
      : (GROUPS.find(([v]) => v === this.options.groupBy) || ["", "Group"])[1];
    const groups = [...(budget.groups || [])].sort((a, b) => Number(b.cost) - Number(a.cost));
    return el("section", { "aria-labelledby": "budget-groups-title" },
      el("h2", { id: "budget-groups-title" }, `Cost by ${this.groupLabel()}`),
      el("table", { class: "budget-groups" },
        el("caption", { class: "visually-hidden" }, `Cost ${per} by ${this.groupLabel()}, in ${budget.currency}`),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, heading), el("th", { scope: "col", class: "num" }, "Cost"),
          el("th", { scope: "col", class: "num" }, "Share"))),
        el("tbody", {}, groups.length === 0
          ? el("tr", {}, el("td", { colspan: 3, class: "muted" }, "No priced components in this view."))
          : groups.map((g) => el("tr", {}, el("th", { scope: "row" }, g.key),
            el("td", { class: "num" }, money(g.cost, budget.currency)),
            el("td", { class: "num" }, total ? `${((Number(g.cost) / total) * 100).toFixed(1)} %` : "–")))),
        el("tfoot", {}, el("tr", {}, el("th", { scope: "row" }, "Total"),
          el("td", { class: "num" }, money(budget.total, budget.currency)), el("td", { class: "num" }, total ? "100 %" : "–")))));
  }

  // A horizontal bar chart of cost by service, drawn as SVG elements; every label is a text node.
  // Grouped by service, the bars are the table's own groups: summing the components' rounded
  // costs here could differ from the table by a cent.
  chart(budget, currency, per) {
    const byService = new Map();
    const byGroup = budget.groupBy === "service";
    for (const c of byGroup ? budget.groups || [] : budget.components || []) {
      const name = (byGroup ? c.key : c.service) || "other";
      const cost = Number(c.cost) || 0;
      if (cost > 0) byService.set(name, (byService.get(name) || 0) + cost);
    }
    let rows = [...byService.entries()].sort((a, b) => b[1] - a[1]);
    if (rows.length > CHART_SERVICES) {
      const rest = rows.slice(CHART_SERVICES - 1).reduce((sum, [, v]) => sum + v, 0);
      rows = [...rows.slice(0, CHART_SERVICES - 1), [`${rows.length - CHART_SERVICES + 1} other services`, rest]];
    }
    const section = el("section", { "aria-labelledby": "budget-chart-title" },
      el("h2", { id: "budget-chart-title" }, "Chart: cost by service"));
    if (rows.length === 0) {
      section.append(el("p", { class: "muted" }, "Every component in this view is free or unpriced: nothing to chart."));
      return section;
    }
    const labelWidth = 170, barWidth = 420, valueWidth = 130, rowHeight = 28;
    const width = labelWidth + barWidth + valueWidth, height = rows.length * rowHeight + 8;
    const max = rows[0][1];
    const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-labelledby": "budget-chart-svg-title", class: "budget-chart" });
    const title = svgNode("title", { id: "budget-chart-svg-title" });
    title.textContent = `Cost ${per} by service, in ${currency}: ` +
      rows.map(([name, value]) => `${name} ${money(value, currency)}`).join(", ");
    svg.append(title);
    rows.forEach(([name, value], i) => {
      const y = i * rowHeight + 4;
      const label = svgNode("text", { x: labelWidth - 8, y: y + 17, "text-anchor": "end", class: "chart-label" });
      label.textContent = name.length > 24 ? `${name.slice(0, 23)}…` : name;
      const bar = svgNode("rect", { x: labelWidth, y: y + 3, height: rowHeight - 8, rx: 3, class: "chart-bar",
        width: Math.max(2, (value / max) * barWidth) });
      const amount = svgNode("text", { x: labelWidth + Math.max(2, (value / max) * barWidth) + 6, y: y + 17,
        class: "chart-value" });
      amount.textContent = money(value, currency);
      svg.append(label, bar, amount);
    });
    section.append(el("div", { class: "chart-box" }, svg));
    return section;
  }

  componentTable(components, currency) {
    const sorted = [...components].sort((a, b) => (Number(b.cost) || 0) - (Number(a.cost) || 0));
    return el("details", { class: "budget-components" },
      el("summary", {}, `All ${components.length} priced components`),
      scrollBox("All priced components", el("table", {},
        el("thead", {}, el("tr", {}, ["Name", "Type", "Region", "Service", "Cost", "How it is priced"].map((h) =>
          el("th", { scope: "col", class: h === "Cost" ? "num" : null }, h)))),
        el("tbody", {}, sorted.map((c) => el("tr", {},
          el("td", {}, c.name || c.arn), el("td", {}, c.type), el("td", { class: "nowrap" }, c.region || "global"), el("td", {}, c.service),
          el("td", { class: "num" }, c.status === "free" ? "free" : money(c.cost, currency)),
          el("td", { class: "small basis" }, c.basis)))))));
  }

  unpricedList(unpriced) {
    const section = el("section", { "aria-labelledby": "budget-unpriced-title" },
      el("h2", { id: "budget-unpriced-title" }, "Not priced"));
    if (unpriced.length === 0) {
      section.append(el("p", { class: "muted" }, "Every component in this view has a price (or is free)."));
      return section;
    }
    section.append(el("p", {}, `${count(unpriced.length, "component is", "components are")} left out of the total ` +
      "(never counted as free):"),
      el("table", { class: "budget-unpriced" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Type"),
          el("th", { scope: "col" }, "Reason"))),
        el("tbody", {}, unpriced.map((u) => el("tr", {},
          el("td", {}, u.name || u.arn), el("td", {}, u.type), el("td", {}, u.reason.replace(/^unpriced: /, "")))))));
    return section;
  }

  // ---- what the latest sync changed (USD a month, as the budget service records it) ----------

  async loadChanges() {
    const heading = el("h2", { id: "budget-changes-title" }, "Since the last sync");
    let reply;
    try {
      reply = await api("GET", this.accountPath("/changes"));
    } catch (error) {
      replace(this.changes, heading, message("error",
        `Could not load what the latest sync changed: ${errorText(error)}. Reload the page to try again.`));
      return;
    }
    if (reply.status === 202) {
      replace(this.changes, heading, el("p", { class: "muted" }, "Changes appear after the first priced sync."));
      setTimeout(() => this.loadChanges(), RETRY_MS);
      return;
    }
    const data = reply.data;
    if (!data.changes.length) {
      replace(this.changes, heading, el("p", { class: "muted" },
        "No cost has changed yet: after the next sync that changes a component's cost, this lists what moved and why."));
      return;
    }
    const delta = (Number(data.totalAfter) || 0) - (Number(data.totalBefore) || 0);
    replace(this.changes, heading,
      el("p", {}, "The sync ", when(data.changedAt), ` moved the monthly total from ${money(data.totalBefore || 0, "USD")} ` +
        `to ${money(data.totalAfter || 0, "USD")} (${delta >= 0 ? "+" : "−"}${money(Math.abs(delta), "USD")}). ` +
        "Changes are in USD a month."),
      changeTable(data.changes.slice(0, CHANGES_SHOWN)),
      data.changes.length > CHANGES_SHOWN ? el("details", { class: "budget-components" },
        el("summary", {}, `${data.changes.length - CHANGES_SHOWN} smaller changes`),
        changeTable(data.changes.slice(CHANGES_SHOWN))) : null);
  }
}

// Changes come largest first; each with its reason ("m5.large -> m5.xlarge", "new NAT gateway").
// The region comes from the ARN: the same name in two regions would otherwise read as a duplicate.
function changeTable(changes) {
  return scrollBox("Cost changes", el("table", { class: "budget-change-list" },
    el("thead", {}, el("tr", {}, ["Component", "Region", "Type", "Before", "After", "Change", "Why"].map((h) =>
      el("th", { scope: "col", class: ["Before", "After", "Change"].includes(h) ? "num" : null }, h)))),
    el("tbody", {}, changes.map((c) => el("tr", {},
      el("td", {}, c.name || c.arn), el("td", { class: "nowrap" }, (c.arn || "").split(":")[3] || "global"),
      el("td", {}, c.type), el("td", { class: "num" }, money(c.before, "USD")), el("td", { class: "num" }, money(c.after, "USD")),
      // Priced neither before nor after (a new component without a price): "+$0.00" would read as free.
      el("td", { class: "num" }, c.before == null && c.after == null ? "not priced"
        : `${Number(c.delta) >= 0 ? "+" : "−"}${money(Math.abs(Number(c.delta)), "USD")}`),
      el("td", {}, c.reason))))));
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function svgNode(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}
