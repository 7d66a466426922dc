// Adding an AWS account (the step-by-step guide, then verification) and editing one.
import { api, copyButton, el, errorText, field, flash, message, pageData, replace, setFieldError } from "./lib.js";

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

// What is wrong with a role ARN as typed so far, or "" when it is well formed.
export function roleArnProblem(value) {
  const text = value.trim();
  if (!text) return "Paste the role's ARN from the IAM console.";
  if (ARN.test(text)) return "";
  if (!/^arn:[a-z-]+:/.test(text)) return "A role ARN starts with arn:aws: (or arn:aws-cn:, arn:aws-us-gov:).";
  if (!/^arn:[a-z-]+:iam::/.test(text)) return "The service part must be iam:: (an IAM role ARN has no region).";
  if (!/^arn:[a-z-]+:iam::\d{12}:/.test(text)) return "After iam:: comes the 12-digit AWS account ID, then a colon.";
  if (!/^arn:[a-z-]+:iam::\d{12}:role\/./.test(text)) return "After the account ID comes role/ and the role's name.";
  return "The role name may hold letters, digits and +=,.@_- only (at most 64 characters).";
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function regionsOf(value) {
  return value.split(/[\s,]+/).filter(Boolean);
}

function regionsProblem(value) {
  const bad = regionsOf(value).filter((region) => !REGION.test(region));
  return bad.length ? `Not a region code: ${bad[0]} (region codes look like us-east-1).` : "";
}

// Which field a verification error concerns, from the API's message.
function fieldOf(errorMessage) {
  const text = errorMessage.toLowerCase();
  if (text.includes("name of 1 to 200") || text.startsWith("field 'name'")) return "name";
  if (text.startsWith("not an aws region code") || text.startsWith("field 'regions'")) return "regions";
  return "roleArn";
}

// The team access picker: per team, no access, can view or can edit.
function teamPicker(teams, readAccess = [], writeAccess = []) {
  const fieldset = el("fieldset", { class: "teams" }, el("legend", {}, "Team access"));
  if (teams.length === 0) {
    fieldset.append(el("p", { class: "hint" }, "No teams yet: only you and the Administrators see this account. ",
      el("a", { href: "/app/admin#teams" }, "Create a team"), " to share it."));
    return { fieldset, value: () => ({ readAccess: [], writeAccess: [] }), chosen: () => false };
  }
  fieldset.append(el("p", { class: "hint" }, "Owners and Administrators see every account; teams see the accounts shared with them."));
  const selects = teams.map((team) => {
    const id = `team-${team.id}`;
    const current = writeAccess.includes(team.id) ? "write" : readAccess.includes(team.id) ? "read" : "";
    const select = el("select", { id, dataset: { teamId: team.id } },
      [["", "No access"], ["read", "Can view"], ["write", "Can view and edit"]].map(([value, text]) =>
        el("option", { value, selected: value === current }, text)));
    fieldset.append(el("div", { class: "team-row" }, el("label", { for: id }, team.name), select));
    return select;
  });
  const value = () => ({
    readAccess: selects.filter((s) => s.value).map((s) => s.dataset.teamId),
    writeAccess: selects.filter((s) => s.value === "write").map((s) => s.dataset.teamId),
  });
  return { fieldset, value, chosen: () => selects.some((s) => s.value) };
}

async function loadTeams() {
  try {
    return (await api("GET", "/api/team")).data.teams;
  } catch (error) {
    return [];
  }
}

function roleArnField(initial = "") {
  const parts = field({ id: "roleArn", label: "Role ARN", required: true, autocomplete: "off", spellcheck: "false",
    placeholder: "arn:aws:iam::123456789012:role/cloudsketch-readonly", value: initial,
    hint: "In the IAM console: Roles > your role > ARN (copy button next to it)." });
  parts.input.addEventListener("input", () => setFieldError(parts, parts.input.value ? roleArnProblem(parts.input.value) : ""));
  return parts;
}

function alternatives() {
  const output = el("div", { class: "template-output" });
  const show = async (label, path, filename) => {
    replace(output, el("p", { class: "muted" }, `Loading the ${label}…`));
    let text;
    try {
      const { data } = await api("GET", path);
      text = typeof data === "string" ? data : JSON.stringify(data, null, 2);
    } catch (error) {
      replace(output, message("error", `Could not load the ${label}: ${errorText(error)}.`));
      return;
    }
    const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: filename },
      `Download ${filename}`);
    replace(output, el("div", { class: "template-head" }, el("strong", {}, label), " ",
      copyButton(() => text, `Copy the ${label}`), " ", link),
      el("pre", { tabindex: "0", "aria-label": label }, text));
  };
  const base = "/api/aws/account/iamParameters";
  return el("details", { class: "alternatives" },
    el("summary", {}, "Other ways to create the role: CloudFormation, StackSets, Terraform"),
    el("p", {}, "Each template creates the same read-only role with this installation's External ID."),
    el("p", { class: "toolbar" },
      el("button", { type: "button", class: "secondary small",
        onclick: () => show("CloudFormation template", `${base}/cloudformation`, "cloudsketch-role.json") },
        "CloudFormation template"),
      el("button", { type: "button", class: "secondary small",
        onclick: () => show("StackSet template", `${base}/stackset`, "cloudsketch-stackset.json") },
        "StackSet template (many accounts)"),
      el("button", { type: "button", class: "secondary small",
        onclick: () => show("Terraform configuration", `${base}/terraform`, "cloudsketch-role.tf") },
        "Terraform")),
    output);
}

export async function render(root) {
  if (pageData().page === "account-edit") return renderEdit(root, pageData().accountId);
  return renderNew(root);
}

async function renderNew(root) {
  let parameters;
  try {
    parameters = (await api("GET", "/api/aws/account/iamParameters")).data;
  } catch (error) {
    root.append(message("error", `Cannot start connecting an account: ${errorText(error)}.`),
      el("p", {}, el("a", { href: "/app/accounts" }, "Back to the accounts")));
    return;
  }
  const teams = await loadTeams();
  root.append(el("p", {}, "cloudsketch reads your AWS account through a read-only IAM role that trusts " +
    "cloudsketch's AWS account, and only with this installation's External ID. Two steps, then cloudsketch verifies the role:"));

  root.append(el("section", { class: "step", "aria-labelledby": "step1" },
    el("h2", { id: "step1" }, el("span", { class: "step-number" }, "1"), "Create the role in the AWS account"),
    el("p", {}, "Sign in to the AWS console of the account to connect, then open the IAM console's role creation " +
      "with everything filled in: this installation's AWS account as the trusted entity, its External ID, the " +
      "ReadOnlyAccess policy and the name cloudsketch-readonly. Review the steps and choose Create role."),
    el("p", {}, el("a", { class: "button", href: parameters.awsConsoleUrl, target: "_blank", rel: "noopener noreferrer",
      id: "console-link" }, "Open the IAM console to create the role"), " ",
      el("span", { class: "muted small" }, "(opens in a new tab)")),
    el("dl", { class: "parameters" },
      el("dt", {}, "AWS account to trust"),
      el("dd", {}, el("code", { id: "trusted-account" }, parameters.accountId), " ",
        copyButton(() => parameters.accountId, "Copy the AWS account to trust")),
      el("dt", {}, "External ID"),
      el("dd", {}, el("code", { id: "external-id" }, parameters.externalId), " ",
        copyButton(() => parameters.externalId, "Copy the External ID"))),
    alternatives()));

  const arn = roleArnField();
  const name = field({ id: "name", label: "Name", required: true, maxlength: "200",
    hint: "How the account appears in cloudsketch, e.g. Production." });
  const regions = field({ id: "regions", label: "Regions (optional)", autocomplete: "off", spellcheck: "false",
    placeholder: "us-east-1, eu-west-1",
    hint: "The regions to sync, separated by commas or spaces; leave empty for every region enabled in the account." });
  regions.input.addEventListener("input", () => setFieldError(regions, regionsProblem(regions.input.value)));
  const picker = teamPicker(teams);
  const formStatus = el("div", { class: "status-area" });
  const submit = el("button", { type: "submit" }, "Verify and add the account");
  const form = el("form", { novalidate: true }, arn.field, name.field, regions.field, picker.fieldset, formStatus,
    el("p", { class: "toolbar" }, submit, el("a", { href: "/app/accounts" }, "Cancel")));
  root.append(el("section", { class: "step", "aria-labelledby": "step2" },
    el("h2", { id: "step2" }, el("span", { class: "step-number" }, "2"), "Give cloudsketch the role's ARN"),
    el("p", {}, "The role's page in the IAM console shows its ARN (with the CloudFormation template: the stack's Outputs tab)."),
    form));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = roleArnProblem(arn.input.value);
    setFieldError(arn, problem);
    setFieldError(name, name.input.value.trim() ? "" : "Give the account a name.");
    replace(formStatus);
    setFieldError(regions, regionsProblem(regions.input.value));
    if (problem) return arn.input.focus();
    if (!name.input.value.trim()) return name.input.focus();
    if (regionsProblem(regions.input.value)) return regions.input.focus();
    submit.disabled = true;
    replace(formStatus, message("info", "Verifying the role with AWS…"));
    const body = { name: name.input.value.trim(), roleArn: arn.input.value.trim() };
    const regionList = regionsOf(regions.input.value);
    if (regionList.length) body.regions = regionList;
    let account;
    try {
      account = (await api("POST", "/api/aws/account", body)).data;
    } catch (error) {
      submit.disabled = false;
      const target = { name, regions }[fieldOf(error.message)] || arn;
      setFieldError(target, errorText(error));
      replace(formStatus, message("error", "The account was not added: fix what the message under the field says, then try again."));
      target.input.focus();
      return;
    }
    if (picker.chosen()) {
      try {
        await api("PUT", `/api/aws/account/${encodeURIComponent(account.id)}`, picker.value());
      } catch (error) {
        flash(`Added ${account.name}, but its team access was not saved: ${errorText(error)}. Edit the account to try again.`);
        return;
      }
    }
    flash(`Added ${account.name}: its first sync has started.`);
  });
}

async function renderEdit(root, accountId) {
  let account;
  try {
    const accounts = (await api("GET", "/api/aws/account")).data.accounts;
    account = accounts.find((a) => a.id === accountId);
  } catch (error) {
    root.append(message("error", `Could not load the account: ${errorText(error)}.`));
    return;
  }
  if (!account) {
    root.append(message("error", "There is no such account, or you may not see it."),
      el("p", {}, el("a", { href: "/app/accounts" }, "Back to the accounts")));
    return;
  }
  const teams = await loadTeams();
  const name = field({ id: "name", label: "Name", required: true, maxlength: "200", value: account.name });
  const arn = roleArnField(account.roleArn);
  arn.error.textContent = "";
  const hint = arn.field.querySelector(".hint");
  hint.textContent = "Change it only to use another role: cloudsketch verifies the new role before saving.";
  const picker = teamPicker(teams, account.readAccess, account.writeAccess);
  const formStatus = el("div", { class: "status-area" });
  const submit = el("button", { type: "submit" }, "Save");
  const form = el("form", { novalidate: true }, name.field, arn.field, picker.fieldset, formStatus,
    el("p", { class: "toolbar" }, submit, el("a", { href: "/app/accounts" }, "Cancel")));
  root.append(el("p", {}, "AWS account ", el("code", {}, account.awsAccountId)), form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const update = { name: name.input.value.trim(), ...picker.value() };
    const newArn = arn.input.value.trim();
    if (newArn !== account.roleArn) {
      const problem = roleArnProblem(newArn);
      setFieldError(arn, problem);
      if (problem) return arn.input.focus();
      update.roleArn = newArn;
    }
    setFieldError(name, update.name ? "" : "Give the account a name.");
    if (!update.name) return name.input.focus();
    submit.disabled = true;
    replace(formStatus, message("info", update.roleArn ? "Verifying the new role with AWS…" : "Saving…"));
    try {
      await api("PUT", `/api/aws/account/${encodeURIComponent(account.id)}`, update);
    } catch (error) {
      submit.disabled = false;
      const target = fieldOf(error.message) === "name" ? name : update.roleArn ? arn : null;
      if (target) {
        setFieldError(target, errorText(error));
        replace(formStatus, message("error", "Not saved: fix what the message under the field says, then try again."));
      } else {
        replace(formStatus, message("error", `Not saved: ${errorText(error)}.`));
      }
      return;
    }
    flash(`Saved ${update.name}.`);
  });
}
