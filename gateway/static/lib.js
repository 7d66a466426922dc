// Shared helpers of the browser app. Every string from AWS or a user reaches the page as text
// (textContent, text nodes, attribute values): never as HTML.

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Calls the REST API with the session cookie; changes carry the CSRF token. Answers
// {status, data}; an error status throws an ApiError with the API's own {"error": ...} message.
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "cloudsketch did not answer: check your network connection and try again");
  }
  const type = response.headers.get("Content-Type") || "";
  const data = response.status === 204 ? null : type.includes("json") ? await response.json() : await response.text();
  if (response.status === 401) {
    throw new ApiError(401, "your session has ended: sign in again");
  }
  if (!response.ok) {
    const message = data && data.error ? data.error : `the request failed (HTTP ${response.status})`;
    throw new ApiError(response.status, message);
  }
  return { status: response.status, data };
}

// el("a", {href: "/x", class: "button"}, "text", child, ...): an element with attributes and
// children; strings become text nodes. Attributes that are null, undefined or false are left out.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "onclick" || name === "onsubmit" || name === "oninput" || name === "onchange") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

// A wide table in a box that scrolls sideways on a narrow window instead of widening the page; the
// box takes focus (the arrow keys scroll it) and its name says what it holds.
export function scrollBox(label, table) {
  return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": label }, table);
}

// The AWS account a page shows (the budget, the diagram): the one named by ?account= in the page's
// URL, with the list of all. Without one the page gets a picker of the accounts, or, with none yet,
// what the page is for and a link to add one; the answer is then null.
export async function pickAccount(root, { path, what, purpose }) {
  let accounts;
  try {
    accounts = (await api("GET", "/api/aws/account")).data.accounts;
  } catch (error) {
    root.append(message("error", `Could not list the AWS accounts: ${errorText(error)}. Reload the page to try again.`));
    return null;
  }
  if (accounts.length === 0) {
    root.append(el("div", { class: "empty" },
      el("h2", {}, `No ${what} yet`),
      el("p", {}, `${purpose} Connect an account first.`),
      el("p", {}, el("a", { href: "/app/accounts/new" }, "Add an AWS account"))));
    return null;
  }
  const account = accounts.find((a) => a.id === new URLSearchParams(location.search).get("account"));
  if (!account) {
    root.append(el("p", {}, `Choose the account whose ${what} to show:`),
      el("nav", { "aria-label": "Accounts", class: "account-picker" },
        el("ul", {}, accounts.map((a) => el("li", {},
          el("a", { href: `${path}?account=${encodeURIComponent(a.id)}` }, a.name))))));
    return null;
  }
  return { accounts, account };
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const ICONS = {
  // 24x24 outlines (drawn here, no icon font): a pencil and a trash can.
  pencil: "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
  trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",
  copy: "M9 9h10v11H9zM5 15V4h10",
};

export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

// A message for the user: kind "error" (role=alert), "ok" or "info".
export function message(kind, ...text) {
  return el("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

export function errorText(error) {
  return error instanceof ApiError ? error.message : `something went wrong in this page: ${error.message}`;
}

// A button that copies `text()` to the clipboard and says so next to it.
export function copyButton(text, label) {
  const status = el("span", { class: "copy-status", role: "status" });
  const button = el("button", {
    type: "button", class: "secondary small", "aria-label": label,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text());
        status.textContent = "Copied";
      } catch (error) {
        status.textContent = "Copying is blocked here: select the text and copy it";
      }
    },
  }, icon("copy"), "Copy");
  return el("span", { class: "copy" }, button, status);
}

// "5 minutes ago" style, with the exact time as the title.
export function when(iso) {
  if (!iso) return el("span", { class: "muted" }, "never");
  const time = new Date(iso);
  const seconds = Math.round((Date.now() - time.getTime()) / 1000);
  let text;
  if (seconds < 60) text = "just now";
  else if (seconds < 3600) text = `${Math.floor(seconds / 60)} min ago`;
  else if (seconds < 86400) text = `${Math.floor(seconds / 3600)} h ago`;
  else text = time.toLocaleDateString();
  return el("time", { datetime: iso, title: time.toLocaleString() }, text);
}

// A modal confirmation (a <dialog>): resolves true when the user confirms.
export function confirmDialog(question, detail, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = el("dialog", { "aria-labelledby": "confirm-title", class: "confirm" },
      el("h2", { id: "confirm-title" }, question),
      el("p", {}, detail),
      el("form", { method: "dialog", class: "actions" },
        el("button", { value: "cancel", class: "secondary", autofocus: true }, "Cancel"),
        el("button", { value: "confirm", class: "danger" }, confirmLabel)));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// A labelled form field: {id, label, hint?, input attributes}. Answers {field, input, error}.
export function field({ id, label, hint, tag = "input", options, ...attributes }) {
  const hintNode = hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const errorNode = el("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  const input = tag === "select"
    ? el("select", { id, name: id, "aria-describedby": describedBy, ...attributes },
        options.map(([value, text]) => el("option", { value }, text)))
    : el(tag, { id, name: id, "aria-describedby": describedBy, ...attributes });
  const wrapper = el("div", { class: "field" }, el("label", { for: id }, label), hintNode, input, errorNode);
  return { field: wrapper, input, error: errorNode };
}

export function setFieldError(parts, text) {
  parts.error.textContent = text || "";
  if (text) parts.input.setAttribute("aria-invalid", "true");
  else parts.input.removeAttribute("aria-invalid");
}

export function page() {
  return document.getElementById("page");
}

export function pageData() {
  return document.getElementById("content").dataset;
}

// A message for the next page (kept in this tab's sessionStorage), then go there.
export function flash(text, to = "/app/accounts") {
  sessionStorage.setItem("cloudsketch-notice", text);
  location.assign(to);
}

export function takeFlash() {
  const text = sessionStorage.getItem("cloudsketch-notice");
  sessionStorage.removeItem("cloudsketch-notice");
  return text;
}

// Owners and Administrators manage accounts, users and teams (docs/permissions.md). The page
// only leaves out what others may not do; the API decides.
export function canManage() {
  return ["owner", "administrator"].includes(pageData().role);
}
