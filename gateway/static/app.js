// The browser app's entry point: loads the module of the page the server named.
import { errorText, message, page, pageData } from "./lib.js";

const PAGES = {
  accounts: "./accounts.js",
  "account-new": "./account-form.js",
  "account-edit": "./account-form.js",
  organization: "./organization.js",
  diagram: "./diagram.js",
  budget: "./budget.js",
  admin: "./admin.js",
};

async function start() {
  const name = pageData().page;
  try {
    const module = await import(PAGES[name]);
    await module.render(page());
  } catch (error) {
    page().append(message("error", `This page could not load: ${errorText(error)}. Reload the page to try again.`));
  }
}

start();
