// Diagram: an account's live blueprint (GET /api/aws/account/{id}/all/json), drawn plainly as
// one box per component, grouped by type. "Still processing" until the first scan is in.
import { api, el, errorText, message, replace, when } from "./lib.js";

const RETRY_MS = 3000;
const SVG = "http://www.w3.org/2000/svg";

export async function render(root) {
  const accountId = new URLSearchParams(location.search).get("account");
  let accounts;
  try {
    accounts = (await api("GET", "/api/aws/account")).data.accounts;
  } catch (error) {
    root.append(message("error", `Could not list the AWS accounts: ${errorText(error)}.`));
    return;
  }
  if (accounts.length === 0) {
    root.append(el("div", { class: "empty" },
      el("h2", {}, "No diagram yet"),
      el("p", {}, "The diagram shows an AWS account's components (VPCs, subnets, instances, databases…) " +
        "and how they connect, live from its latest sync. Connect an account first."),
      el("p", {}, el("a", { href: "/app/accounts/new" }, "Add an AWS account"))));
    return;
  }
  const account = accounts.find((a) => a.id === accountId);
  const picker = el("nav", { "aria-label": "Accounts", class: "account-picker" },
    el("ul", {}, accounts.map((a) => el("li", {},
      el("a", { href: `/app/diagram?account=${encodeURIComponent(a.id)}`,
        "aria-current": a === account ? "page" : null }, a.name)))));
  if (!account) {
    root.append(el("p", {}, "Choose the account whose diagram to show:"), picker);
    return;
  }
  const area = el("div", { class: "diagram-area" }, el("p", { class: "muted" }, "Loading the diagram…"));
  root.append(picker, el("h2", {}, account.name), area);
  await show(account, area);
}

async function show(account, area) {
  let reply;
  try {
    reply = await api("GET", `/api/aws/account/${encodeURIComponent(account.id)}/all/json`);
  } catch (error) {
    replace(area, message("error", `Could not load the diagram: ${errorText(error)}.`),
      el("p", {}, el("a", { href: "/app/accounts" }, "Check the account's verification and sync")));
    return;
  }
  if (!area.isConnected) return;
  if (reply.status === 202) {
    replace(area, el("div", { class: "empty" },
      el("p", { role: "status" }, "Still processing: the diagram appears when the account's first sync is in. " +
        "This page checks again on its own."),
      el("progress", { "aria-label": "Waiting for the diagram" }),
      el("p", {}, el("a", { href: "/app/accounts" }, "See the sync's progress on the accounts page"))));
    setTimeout(() => show(account, area), RETRY_MS);
    return;
  }
  draw(reply.data, area);
}

function draw(blueprint, area) {
  const data = blueprint.data || {};
  const nodes = data.nodes || [];
  if (nodes.length === 0) {
    replace(area, el("p", {}, "The latest sync found no components in this account. ",
      el("a", { href: "/app/accounts" }, "Sync it again"), " after creating resources, or check its gaps (limited access)."));
    return;
  }
  const byType = new Map();
  for (const node of nodes) {
    const type = String(node.type || "unknown");
    if (!byType.has(type)) byType.set(type, []);
    byType.get(type).push(node);
  }
  const columns = 6, width = 170, height = 44, gap = 10, header = 28;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${nodes.length} components of ${byType.size} types`);
  let y = 0;
  const position = new Map();
  for (const [type, members] of [...byType.entries()].sort()) {
    svg.append(svgText(0, y + 18, `${type} (${members.length})`, "group-label"));
    y += header;
    members.forEach((node, index) => {
      const x = (index % columns) * (width + gap);
      const top = y + Math.floor(index / columns) * (height + gap);
      const box = document.createElementNS(SVG, "rect");
      Object.entries({ x, y: top, width, height, rx: 4, class: "node" }).forEach(([k, v]) => box.setAttribute(k, v));
      svg.append(box, svgText(x + 8, top + 27, label(node), "node-label"));
      position.set(node.id, [x + width / 2, top + height / 2]);
    });
    y += Math.ceil(members.length / columns) * (height + gap) + gap;
  }
  for (const edge of data.edges || []) {
    const from = position.get(edge.from), to = position.get(edge.to);
    if (!from || !to) continue;
    const line = document.createElementNS(SVG, "line");
    Object.entries({ x1: from[0], y1: from[1], x2: to[0], y2: to[1], class: "edge" })
      .forEach(([k, v]) => line.setAttribute(k, v));
    svg.prepend(line);
  }
  svg.setAttribute("viewBox", `0 0 ${columns * (width + gap)} ${y}`);
  svg.setAttribute("width", columns * (width + gap));
  replace(area, el("p", { class: "muted" }, `${nodes.length} components, updated `, when(blueprint.updatedAt), "."),
    el("div", { class: "diagram", tabindex: "0", role: "region", "aria-label": "Diagram (scrolls)" }, svg));
}

function label(node) {
  const text = String(node.name || node.displayName || node.id || "");
  return text.length > 22 ? `${text.slice(0, 21)}…` : text;
}

function svgText(x, y, text, className) {
  const node = document.createElementNS(SVG, "text");
  node.setAttribute("x", x);
  node.setAttribute("y", y);
  node.setAttribute("class", className);
  node.textContent = text;
  return node;
}
