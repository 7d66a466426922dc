// Accounts: every AWS account the user may see, its verification, its access (account health:
// verified, limited or lost, with the fix and a re-check) and its latest sync (polled while one
// runs), with sync now, edit and remove.
import { api, ApiError, canManage, confirmDialog, copyButton, el, errorText, icon, message, pageData, replace, takeFlash, when } from "./lib.js";

const POLL_MS = 1500;
const ACTIVE = new Set(["queued", "running"]);

export async function render(root) {
  const status = el("div", { class: "status-area" });
  const list = el("div", {}, el("p", { class: "muted" }, "Loading your AWS accounts…"));
  root.append(
    canManage() ? el("p", { class: "toolbar" },
      el("a", { class: "button", href: "/app/accounts/new" }, "Add an AWS account"),
      el("a", { class: "button secondary", href: "/app/organization" }, "Connect an AWS Organization")) : null,
    status, list);
  const notice = takeFlash();
  if (notice) status.append(message("ok", notice));
  await load(list, status);
}

async function load(list, status) {
  let accounts;
  try {
    accounts = (await api("GET", "/api/aws/account")).data.accounts;
  } catch (error) {
    replace(list, message("error", `Could not list the AWS accounts: ${errorText(error)}.`));
    return;
  }
  if (accounts.length === 0 && !canManage()) {
    replace(list, el("div", { class: "empty" },
      el("h2", {}, "No AWS accounts shared with you yet"),
      el("p", {}, "Owners and Administrators connect AWS accounts and share them with teams. Ask one of them " +
        "to share an account with a team of yours; it appears here with its live diagram.")));
    return;
  }
  if (accounts.length === 0) {
    replace(list, el("div", { class: "empty" },
      el("h2", {}, "No AWS accounts yet"),
      el("p", {}, "Connect an AWS account to see its live diagram: cloudsketch guides you through creating a " +
        "read-only IAM role in it, then verifies the role and syncs the account."),
      el("p", {}, el("a", { href: "/app/accounts/new" }, "Add your first AWS account"))));
    return;
  }
  const body = el("tbody");
  replace(list, el("table", { class: "accounts" },
    el("caption", { class: "visually-hidden" }, "AWS accounts"),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "AWS account"),
      el("th", { scope: "col" }, "Role and access"), el("th", { scope: "col" }, "Last sync"),
      el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
    body));
  for (const account of accounts) body.append(row(account, list, status));
}

function verificationBadge(verification) {
  const labels = { verified: "verified", failed: "verification failed", pending: "not verified yet" };
  return el("span", { class: `badge ${verification.state}` }, labels[verification.state] || verification.state);
}

const ACCESS_LABELS = { verified: "access verified", limited: "limited access", lost: "access lost" };
const ACCESS_STYLES = { verified: "verified", limited: "pending", lost: "failed" };

function accessBadge(access) {
  return el("span", { class: `badge ${ACCESS_STYLES[access.state] || "pending"}`, dataset: { access: access.state } },
    ACCESS_LABELS[access.state] || access.state);
}

// What is wrong and how to fix it (the policy to add, or the trust policy to set), and a re-check.
function accessDetails(account, list, status) {
  const access = account.access;
  if (access.state === "verified") return null;
  const documentText = access.fixDocument ? JSON.stringify(access.fixDocument, null, 2) : "";
  const recheck = el("button", { type: "button", class: "secondary small" }, "Re-check now");
  recheck.addEventListener("click", async () => {
    recheck.disabled = true;
    let reply;
    try {
      reply = (await api("POST", `/api/aws/account/${encodeURIComponent(account.id)}/verify`)).data;
    } catch (error) {
      recheck.disabled = false;
      replace(status, message("error", `Could not re-check ${account.name}: ${errorText(error)}.`));
      return;
    }
    replace(status, message(reply.access.state === "lost" ? "error" : "ok",
      reply.access.state === "lost" ? `${account.name}: access is still lost (${reply.access.reason}).`
        : `${account.name}: the role works again; a sync is running.`));
    await load(list, status);
  });
  return el("details", { class: "small access-fix" },
    el("summary", {}, access.reason || ACCESS_LABELS[access.state], " (since ", when(access.since), ")"),
    access.state === "lost"
      ? el("p", {}, "The diagram and the budget show the account as of its last sync before then: they are stale. " +
        "Scheduled syncs back off until access returns.") : null,
    access.errorCode ? el("p", {}, "AWS said: ", el("code", {}, access.errorCode)) : null,
    el("p", {}, access.fix),
    documentText ? el("pre", { class: "fix-document" }, documentText) : null,
    documentText ? copyButton(() => documentText, "Copy the policy") : null,
    pageData().role === "viewer" ? null : el("p", {}, recheck));
}

function row(account, list, status) {
  const syncCell = el("td", { class: "sync" }, el("span", { class: "muted" }, "…"));
  const syncButton = el("button", { type: "button", class: "secondary small" }, "Sync now");
  const watch = () => watchSync(account.id, syncCell, syncButton);
  syncButton.addEventListener("click", async () => {
    syncButton.disabled = true;
    try {
      await api("POST", `/api/aws/account/${encodeURIComponent(account.id)}/sync`);
    } catch (error) {
      syncButton.disabled = false;
      replace(syncCell, message("error", `Sync not started: ${errorText(error)}.`));
      return;
    }
    watch();
  });
  const remove = el("button", {
    type: "button", class: "icon-button danger-text", "aria-label": `Remove ${account.name}`, title: "Remove",
  }, icon("trash"));
  remove.addEventListener("click", async () => {
    const confirmed = await confirmDialog(`Remove ${account.name}?`,
      "cloudsketch forgets the account, its diagram and its sync history. The IAM role in AWS stays: " +
      "delete it there if you no longer need it.", "Remove");
    if (!confirmed) return;
    try {
      await api("DELETE", `/api/aws/account/${encodeURIComponent(account.id)}`);
    } catch (error) {
      replace(status, message("error", `Could not remove ${account.name}: ${errorText(error)}.`));
      return;
    }
    replace(status, message("ok", `Removed ${account.name}.`));
    await load(list, status);
  });
  const verification = account.verification;
  const tr = el("tr", { dataset: { accountId: account.id } },
    el("th", { scope: "row" }, el("a", { href: `/app/diagram?account=${encodeURIComponent(account.id)}` }, account.name)),
    el("td", {}, el("code", { class: "nowrap" }, account.awsAccountId || "—"),
      account.regions.length ? el("div", { class: "muted small" }, account.regions.join(", ")) : null),
    // The access badge supersedes a verification that succeeded at registration.
    el("td", { class: "access" }, verification.state === "verified" ? null : [verificationBadge(verification), " "],
      accessBadge(account.access),
      verification.state === "failed" && verification.message
        ? el("div", { class: "small" }, verification.message) : null,
      accessDetails(account, list, status)),
    syncCell,
    el("td", { class: "actions" }, pageData().role === "viewer" ? null : syncButton,
      canManage() ? el("a", { class: "icon-button", href: `/app/accounts/${encodeURIComponent(account.id)}/edit`,
        "aria-label": `Edit ${account.name}`, title: "Edit" }, icon("pencil")) : null,
      canManage() ? remove : null));
  watch();
  return tr;
}

// Shows the account's latest sync, and polls while it is queued or running.
async function watchSync(accountId, cell, button) {
  let sync;
  try {
    sync = (await api("GET", `/api/aws/account/${encodeURIComponent(accountId)}/sync`)).data;
  } catch (error) {
    if (!cell.isConnected) return;
    if (error instanceof ApiError && error.status === 404) {
      replace(cell, el("span", { class: "muted" }, "not synced yet"));
    } else {
      replace(cell, message("error", `Sync status unavailable: ${errorText(error)}.`));
    }
    button.disabled = false;
    return;
  }
  if (!cell.isConnected) return;  // the list was redrawn
  replace(cell, describeSync(sync));
  const active = ACTIVE.has(sync.state);
  button.disabled = active;
  if (active) setTimeout(() => watchSync(accountId, cell, button), POLL_MS);
}

function describeSync(sync) {
  const counts = sync.counts;
  if (sync.state === "queued") {
    return el("div", {}, el("span", { class: "badge pending" }, "queued"), " waiting for the collector",
      el("progress", { "aria-label": "Sync queued" }));
  }
  if (sync.state === "running") {
    return el("div", {}, el("span", { class: "badge pending" }, "syncing"),
      ` ${counts.resources} resources so far, ${counts.apiCalls} API calls`,
      el("progress", { "aria-label": "Sync in progress" }));
  }
  if (sync.state === "failed") {
    return el("div", {}, el("span", { class: "badge failed" }, "sync failed"), " ", when(sync.finishedAt),
      el("div", { class: "small" }, sync.message || "the collector gave no reason"));
  }
  const changes = `+${counts.added} ~${counts.changed} −${counts.removed}`;
  const parts = [el("span", { class: "badge verified" }, "synced"), " ", when(sync.finishedAt),
    el("div", { class: "small" }, `${counts.resources} resources (${changes}) in ${counts.durationSeconds.toFixed(1)} s`)];
  if (sync.gaps.length) {
    // Only access-denied gaps mean the role lacks permissions; the others are AWS failing,
    // throttling or a disabled region, which the access badge rightly does not count.
    const label = sync.gaps.every((gap) => gap.reason === "access_denied") ? "Limited access" : "Not everything read";
    parts.push(el("details", { class: "small" },
      el("summary", {}, `${label}: ${sync.gaps.length} gap${sync.gaps.length === 1 ? "" : "s"}`),
      el("ul", {}, sync.gaps.map((gap) => el("li", {},
        gap.regions.length > 1 ? gap.message || gap.reason : `${gap.region || "global"} ${gap.service}: ${gap.message || gap.reason}`)))));
  }
  return el("div", {}, parts);
}
