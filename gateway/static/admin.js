// Administration: users and roles, teams and membership, API keys, the audit log.
import { api, canManage, confirmDialog, copyButton, el, errorText, field, icon, message, pageData, replace, scrollBox, setFieldError, when }
  from "./lib.js";

const ROLES = [["owner", "Owner"], ["administrator", "Administrator"], ["user", "User"], ["viewer", "Viewer"]];
const AUDIT_PAGE = 20;

export async function render(root) {
  const sections = {
    users: el("section", { id: "users", "aria-labelledby": "users-title" }),
    teams: el("section", { id: "teams", "aria-labelledby": "teams-title" }),
    keys: el("section", { id: "api-keys", "aria-labelledby": "keys-title" }),
    audit: el("section", { id: "audit", "aria-labelledby": "audit-title" }),
  };
  root.append(el("nav", { "aria-label": "Administration sections", class: "subnav" }, el("ul", {},
    el("li", {}, el("a", { href: "#users" }, "Users")), el("li", {}, el("a", { href: "#teams" }, "Teams")),
    el("li", {}, el("a", { href: "#api-keys" }, "API keys")), el("li", {}, el("a", { href: "#audit" }, "Audit log")))),
  ...Object.values(sections));
  const state = { users: [], sections };
  await renderUsers(state);
  await renderTeams(state);
  await renderKeys(state);
  await renderAudit(state);
}

function heading(id, text) {
  return el("h2", { id }, text);
}

// ---- users ----
async function renderUsers(state) {
  const section = state.sections.users;
  replace(section, heading("users-title", "Users and roles"));
  try {
    state.users = (await api("GET", "/api/user")).data.users;
  } catch (error) {
    state.users = [];
    section.append(message("error", `Users are not shown: ${errorText(error)}.`));
    return;
  }
  const status = el("div", { class: "status-area" });
  const body = el("tbody");
  for (const user of state.users) {
    const selectId = `role-${user.id}`;
    const select = el("select", { id: selectId, "aria-label": `Role of ${user.name || user.email}` },
      ROLES.map(([value, text]) => el("option", { value, selected: value === user.role }, text)));
    select.addEventListener("change", async () => {
      try {
        await api("PUT", `/api/user/${encodeURIComponent(user.id)}`, { role: select.value });
        replace(status, message("ok", `${user.name || user.email} is now ${select.value}.`));
        user.role = select.value;
      } catch (error) {
        select.value = user.role;
        replace(status, message("error", `Role not changed: ${errorText(error)}.`));
      }
    });
    const remove = el("button", { type: "button", class: "icon-button danger-text",
      "aria-label": `Remove user ${user.name || user.email}`, title: "Remove" }, icon("trash"));
    remove.addEventListener("click", async () => {
      if (!await confirmDialog(`Remove ${user.name || user.email}?`,
        "They can no longer sign in, and their API keys stop working.", "Remove")) return;
      try {
        await api("DELETE", `/api/user/${encodeURIComponent(user.id)}`);
      } catch (error) {
        replace(status, message("error", `Not removed: ${errorText(error)}.`));
        return;
      }
      await renderUsers(state);
      await renderTeams(state);
    });
    const self = user.id === pageData().userId;
    const roleName = ROLES.find(([value]) => value === user.role)?.[1] || user.role;
    body.append(el("tr", {},
      el("th", { scope: "row" }, user.name || "—", self ? el("span", { class: "muted" }, " (you)") : null),
      el("td", {}, user.email), el("td", {}, canManage() ? select : roleName), el("td", {}, when(user.createdAt)),
      el("td", { class: "actions" }, self || !canManage() ? null : remove)));
  }
  section.append(status, el("table", {},
    el("thead", {}, el("tr", {}, ["Name", "Email", "Role", "Added"].map((h) => el("th", { scope: "col" }, h)),
      el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
    body));

  if (!canManage()) {
    section.append(el("p", { class: "hint" }, "Owners and Administrators add users and change roles."));
    return;
  }
  const name = field({ id: "new-user-name", label: "Name", required: true, autocomplete: "off" });
  const email = field({ id: "new-user-email", label: "Email", type: "email", required: true, autocomplete: "off" });
  const role = field({ id: "new-user-role", label: "Role", tag: "select", options: ROLES });
  role.input.value = "user";
  const password = field({ id: "new-user-password", label: "Password", type: "password", autocomplete: "new-password",
    hint: "At least 12 characters, to sign in with their email; leave it empty for a user of API keys only." });
  const formStatus = el("div", { class: "status-area" });
  const form = el("form", { class: "inline-form", novalidate: true },
    el("h3", {}, "Add a user"), name.field, email.field, role.field, password.field, formStatus,
    el("button", { type: "submit" }, "Add the user"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(formStatus);
    try {
      await api("POST", "/api/user", { name: name.input.value.trim(), email: email.input.value.trim(),
        role: role.input.value, password: password.input.value });
    } catch (error) {
      replace(formStatus, message("error", `The user was not added: ${errorText(error)}.`));
      return;
    }
    await renderUsers(state);
    await renderTeams(state);
    state.sections.users.querySelector(".status-area").append(message("ok", `Added ${email.input.value.trim()}.`));
  });
  section.append(form);
}

// ---- teams ----
async function renderTeams(state) {
  const section = state.sections.teams;
  replace(section, heading("teams-title", "Teams"),
    canManage() ? el("p", { class: "hint" }, "Share AWS accounts with a team from the account's edit page (Team access).")
      : el("p", { class: "hint" }, "The teams you can see; their members see the AWS accounts shared with them."));
  const status = el("div", { class: "status-area" });
  section.append(status);
  let teams;
  try {
    teams = (await api("GET", "/api/team")).data.teams;
  } catch (error) {
    section.append(message("error", `Teams are not shown: ${errorText(error)}.`));
    return;
  }
  const nameOf = (id) => {
    const user = state.users.find((u) => u.id === id);
    return user ? (user.name || user.email) : id;
  };
  const act = async (what, call) => {
    try {
      await call();
    } catch (error) {
      replace(section.querySelector(".status-area"), message("error", `${what}: ${errorText(error)}.`));
      return;
    }
    await renderTeams(state);
  };
  if (teams.length === 0) {
    section.append(el("p", { class: "empty" }, canManage()
      ? "No teams yet. Create one below, add its members, then give it access to AWS accounts."
      : "You are in no team yet. Owners and Administrators create teams and add their members."));
  }
  for (const team of teams) {
    const members = el("ul", { class: "members" }, team.members.length ? team.members.map((id) => el("li", {}, nameOf(id), " ",
      canManage() && el("button", { type: "button", class: "secondary small", "aria-label": `Remove ${nameOf(id)} from ${team.name}`,
        onclick: () => act("Member not removed", () =>
          api("DELETE", `/api/team/${encodeURIComponent(team.id)}/member/${encodeURIComponent(id)}`)) }, "Remove")))
      : el("li", { class: "muted" }, "No members yet."));
    const candidates = canManage() ? state.users.filter((u) => !team.members.includes(u.id)) : [];
    const addId = `add-member-${team.id}`;
    const picker = el("select", { id: addId },
      candidates.map((u) => el("option", { value: u.id }, `${u.name || u.email} (${u.email})`)));
    const addForm = candidates.length ? el("form", { class: "row-form" },
      el("label", { for: addId }, `Add a member to ${team.name}`), picker,
      el("button", { type: "submit", class: "secondary small" }, "Add")) : null;
    addForm?.addEventListener("submit", (event) => {
      event.preventDefault();
      act("Member not added", () => api("POST", `/api/team/${encodeURIComponent(team.id)}/member`, { userId: picker.value }));
    });
    const remove = el("button", { type: "button", class: "icon-button danger-text", "aria-label": `Delete team ${team.name}`,
      title: "Delete team" }, icon("trash"));
    remove.addEventListener("click", async () => {
      if (!await confirmDialog(`Delete the team ${team.name}?`,
        "Its members lose the access the team gave them; the users themselves stay.", "Delete")) return;
      act("Team not deleted", () => api("DELETE", `/api/team/${encodeURIComponent(team.id)}`));
    });
    section.append(el("article", { class: "team card", dataset: { teamId: team.id } },
      el("div", { class: "team-head" }, el("h3", {}, team.name),
        team.secret ? el("span", { class: "badge pending" }, "secret") : null, canManage() ? remove : null),
      members, addForm));
  }
  if (!canManage()) return;
  const name = field({ id: "new-team-name", label: "Team name", required: true, autocomplete: "off" });
  const secret = el("input", { type: "checkbox", id: "new-team-secret" });
  const form = el("form", { class: "inline-form", novalidate: true }, el("h3", {}, "Create a team"), name.field,
    el("div", { class: "check" }, secret, el("label", { for: "new-team-secret" }, "Secret: only its members and Administrators see it")),
    el("button", { type: "submit" }, "Create the team"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!name.input.value.trim()) {
      setFieldError(name, "Give the team a name.");
      name.input.focus();
      return;
    }
    act("Team not created", () => api("POST", "/api/team", { name: name.input.value.trim(), secret: secret.checked }));
  });
  section.append(form);
}

// ---- API keys ----
async function renderKeys(state, created) {
  const section = state.sections.keys;
  replace(section, heading("keys-title", "Your API keys"),
    el("p", { class: "hint" }, "Scripts and Cloudcraft SDKs authenticate with ", el("code", {}, "Authorization: Bearer <key>"), "."));
  const status = el("div", { class: "status-area" });
  section.append(status);
  if (created) {
    section.append(el("div", { class: "card shown-once", role: "status" },
      el("p", {}, el("strong", {}, `Your new key ${created.name || ""}`), " is shown only now: copy it and keep it safe."),
      el("p", {}, el("label", { for: "new-key-secret" }, "API key"),
        el("input", { id: "new-key-secret", readonly: true, value: created.key, class: "secret", spellcheck: "false" }),
        copyButton(() => created.key, "Copy the API key"))));
  }
  let keys;
  try {
    keys = (await api("GET", "/api/apikey")).data.apiKeys;
  } catch (error) {
    section.append(message("error", `API keys are not shown: ${errorText(error)}.`));
    return;
  }
  if (keys.length === 0) {
    section.append(el("p", { class: "empty" }, "You have no API keys. Create one below for scripts and SDKs."));
  } else {
    section.append(el("table", {},
      el("thead", {}, el("tr", {}, ["Name", "Access", "Starts with", "Created", "Last used", "State"]
        .map((h) => el("th", { scope: "col" }, h)), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
      el("tbody", {}, keys.map((key) => {
        const revoked = Boolean(key.revokedAt);
        const expired = key.expiresAt && new Date(key.expiresAt) < new Date();
        const revoke = revoked ? null : el("button", { type: "button", class: "secondary small",
          "aria-label": `Revoke key ${key.name || key.prefix}` }, "Revoke");
        revoke?.addEventListener("click", async () => {
          if (!await confirmDialog(`Revoke the key ${key.name || key.prefix}?`,
            "Scripts using it stop working at once. This cannot be undone.", "Revoke")) return;
          try {
            await api("DELETE", `/api/apikey/${encodeURIComponent(key.id)}`);
          } catch (error) {
            replace(status, message("error", `Key not revoked: ${errorText(error)}.`));
            return;
          }
          await renderKeys(state);
          state.sections.keys.querySelector(".status-area").append(message("ok", `Revoked ${key.name || key.prefix}.`));
        });
        return el("tr", { dataset: { keyId: key.id } },
          el("th", { scope: "row" }, key.name || "(no name)"),
          el("td", {}, key.mode === "rw" ? "read-write" : "read"), el("td", {}, el("code", {}, key.prefix)),
          el("td", {}, when(key.createdAt)), el("td", {}, when(key.lastUsedAt)),
          el("td", {}, revoked ? el("span", { class: "badge failed" }, "revoked")
            : expired ? el("span", { class: "badge failed" }, "expired") : el("span", { class: "badge verified" }, "active")),
          el("td", { class: "actions" }, revoke));
      }))));
  }
  const name = field({ id: "new-key-name", label: "Name", autocomplete: "off", hint: "What uses it, e.g. nightly export." });
  const mode = field({ id: "new-key-mode", label: "Access", tag: "select",
    options: pageData().role === "viewer" ? [["r", "Read only"]] : [["r", "Read only"], ["rw", "Read and write"]],
    hint: pageData().role === "viewer" ? "A Viewer's keys read only." : null });
  const expires = field({ id: "new-key-expires", label: "Expires (optional)", type: "date" });
  const form = el("form", { class: "inline-form", novalidate: true }, el("h3", {}, "Create an API key"),
    name.field, mode.field, expires.field, el("button", { type: "submit" }, "Create the key"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.input.value.trim(), mode: mode.input.value };
    if (expires.input.value) body.expiresAt = `${expires.input.value}T00:00:00Z`;
    let key;
    try {
      key = (await api("POST", "/api/apikey", body)).data;
    } catch (error) {
      replace(status, message("error", `The key was not created: ${errorText(error)}.`));
      return;
    }
    await renderKeys(state, key);
    document.getElementById("new-key-secret").focus();
  });
  section.append(form);
}

// ---- audit log ----
async function renderAudit(state) {
  const section = state.sections.audit;
  replace(section, heading("audit-title", "Audit log"),
    el("p", { class: "hint" }, "Who changed what, newest first."));
  if (!canManage()) {
    section.append(el("p", { class: "empty" }, "The audit log is for Owners and Administrators."));
    return;
  }
  const body = el("tbody");
  const table = el("table", { class: "audit" },
    el("thead", {}, el("tr", {}, ["When", "Who", "Action", "Target", "Detail"].map((h) => el("th", { scope: "col" }, h)))),
    body);
  const more = el("button", { type: "button", class: "secondary" }, "Older entries");
  const status = el("div", { class: "status-area" });
  let before = "";
  const loadPage = async () => {
    more.disabled = true;
    let events;
    try {
      const query = new URLSearchParams({ limit: String(AUDIT_PAGE) });
      if (before) query.set("before", before);
      events = (await api("GET", `/api/audit?${query}`)).data.events;
    } catch (error) {
      replace(status, message("error", `The audit log is not shown: ${errorText(error)}.`));
      more.remove();
      if (!body.children.length) table.remove();
      return;
    }
    for (const event of events) {
      body.append(el("tr", {},
        el("td", {}, el("time", { datetime: event.occurredAt }, new Date(event.occurredAt).toLocaleString())),
        el("td", {}, event.actorEmail || event.actorId || "system"),
        el("td", {}, el("code", {}, event.action)),
        el("td", {}, event.targetKind, event.targetId ? el("div", { class: "muted small" }, event.targetId) : null),
        el("td", { class: "small" }, event.detail)));
    }
    if (events.length) before = events[events.length - 1].id;
    if (events.length < AUDIT_PAGE) {
      more.remove();
      section.append(el("p", { class: "muted" }, body.children.length ? "That is the whole audit log." : "The audit log is empty."));
    } else {
      more.disabled = false;
    }
  };
  more.addEventListener("click", loadPage);
  section.append(status, scrollBox("Audit log entries", table), more);
  await loadPage();
}
