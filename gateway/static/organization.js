// Connecting every member account of an AWS Organization at once.
import { roleArnProblem } from "./account-form.js";
import { api, el, errorText, field, message, replace, setFieldError } from "./lib.js";

export async function render(root) {
  root.append(
    el("p", {}, "Connect every member account of an AWS Organization: deploy the StackSet template to the " +
      "member accounts (it creates the read-only role in each), then give cloudsketch a role in the management " +
      "account that may list the organization's accounts."),
    el("p", {}, "The StackSet template and the External ID are on ",
      el("a", { href: "/app/accounts/new" }, "the add-an-account page"), " (Other ways to create the role)."));
  const arn = field({ id: "roleArn", label: "Role ARN in the management account", required: true,
    autocomplete: "off", spellcheck: "false", placeholder: "arn:aws:iam::111122223333:role/cloudsketch-readonly",
    hint: "A role that trusts cloudsketch with the External ID and may call organizations:ListAccounts." });
  arn.input.addEventListener("input", () => setFieldError(arn, arn.input.value ? roleArnProblem(arn.input.value) : ""));
  const member = field({ id: "memberRoleName", label: "Role name in the member accounts (optional)",
    autocomplete: "off", placeholder: "cloudsketch-readonly", hint: "Leave empty for the StackSet's default." });
  const status = el("div", { class: "status-area" });
  const results = el("div", { class: "results" });
  const submit = el("button", { type: "submit" }, "Connect the organization");
  const form = el("form", { novalidate: true }, arn.field, member.field, status,
    el("p", { class: "toolbar" }, submit, el("a", { href: "/app/accounts" }, "Back to the accounts")));
  root.append(form, results);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = roleArnProblem(arn.input.value);
    setFieldError(arn, problem);
    if (problem) return arn.input.focus();
    submit.disabled = true;
    replace(results);
    replace(status, message("info", "Verifying the role of every member account: a large organization takes a few minutes…"));
    let reply;
    try {
      const body = { roleArn: arn.input.value.trim() };
      if (member.input.value.trim()) body.memberRoleName = member.input.value.trim();
      reply = (await api("POST", "/api/aws/organization", body)).data;
    } catch (error) {
      submit.disabled = false;
      replace(status);
      setFieldError(arn, errorText(error));
      arn.input.focus();
      return;
    }
    submit.disabled = false;
    replace(status, message(reply.failed.length ? "error" : "ok",
      `${reply.onboarded.length} connected, ${reply.failed.length} failed, ${reply.alreadyConnected.length} already connected.`));
    replace(results,
      el("h2", {}, "Connected"),
      reply.onboarded.length
        ? el("ul", {}, reply.onboarded.map((a) => el("li", {}, `${a.name} (${a.awsAccountId})`)))
        : el("p", { class: "muted" }, "None."),
      el("h2", {}, "Not connected"),
      reply.failed.length
        ? el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Account"),
            el("th", { scope: "col" }, "What went wrong"))),
          el("tbody", {}, reply.failed.map((f) => el("tr", {}, el("td", {}, `${f.name} (${f.awsAccountId})`),
            el("td", {}, f.error)))))
        : el("p", { class: "muted" }, "None."),
      reply.alreadyConnected.length
        ? el("p", {}, `Already connected: ${reply.alreadyConnected.join(", ")}.`) : null,
      el("p", {}, el("a", { href: "/app/accounts" }, "See the accounts")));
  });
}
