// Diagram: an account's live blueprint as the server renders it
// (GET /api/aws/account/{id}/{region}/svg with the export options), shown in an <img> from a Blob
// URL (never inserted as markup), with pan and zoom by a CSS transform of that one element: no
// re-render on pan or zoom. The options live in the page's URL, so a view can be bookmarked.
// Live status (live.js) is a layer over the picture, in the same transformed canvas.
import { api, el, errorText, message, pickAccount, replace, when } from "./lib.js";
import { LiveStatus } from "./live.js";

const RETRY_MS = 3000;
const PRESETS = [["infrastructure", "Infrastructure"], ["network", "Network"], ["security", "Security"]];
const CUSTOM = [["region", "Region"], ["vpc", "VPC"], ["subnet", "Subnet"], ["securityGroup", "Security group"],
  ["tag", "Tag…"]];
const FORMATS = [["json", "JSON (Cloudcraft)", "json"], ["svg", "SVG", "svg"], ["png", "PNG", "png"],
  ["pdf", "PDF", "pdf"], ["mxGraph", "mxGraph (draw.io)", "drawio"]];
const PAN_STEP = 60;
const ZOOM_STEP = 1.25;
const MIN_SCALE = 0.02, MAX_SCALE = 8;

export async function render(root) {
  const params = new URLSearchParams(location.search);
  const picked = await pickAccount(root, {
    path: "/app/diagram", what: "diagram",
    purpose: "The diagram shows an AWS account's components (VPCs, subnets, instances, databases…) " +
      "and how they connect, live from its latest sync.",
  });
  if (!picked) return;
  const { accounts, account } = picked;
  if (account.access && account.access.state === "lost") {
    // Account health: the diagram is frozen at the last sync before access was lost.
    root.append(el("div", { class: "stale-notice" }, message("error",
      `cloudsketch lost access to ${account.name} `, when(account.access.since),
      `: this diagram is stale since then (${account.access.reason}). `,
      el("a", { href: "/app/accounts" }, "How to fix it"), ".")));
  }
  new DiagramView(root, accounts, account, params).start();
}

// The view's options, from the page's URL (unknown values fall back to the defaults).
function readOptions(params) {
  const groupBy = params.get("groupBy") || "infrastructure";
  return {
    region: params.get("region") || "all",
    filter: params.get("filter") || "",
    groupBy,
    projection: params.get("projection") === "2d" ? "2d" : "isometric",
    theme: params.get("theme") === "dark" ? "dark" : "light",
    expand: params.get("expand") || "",
  };
}

// The API's query for the options (Cloudcraft's names plus cloudsketch's groupBy and expand).
function query(options) {
  const q = new URLSearchParams();
  if (options.filter) q.set("filter", options.filter);
  q.set("groupBy", options.groupBy);
  q.set("projection", options.projection);
  q.set("theme", options.theme);
  if (options.expand) q.set("expand", options.expand);
  return q;
}

function fileName(text) {
  return String(text).replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "diagram";
}

class DiagramView {
  constructor(root, accounts, account, params) {
    this.root = root;
    this.accounts = accounts;
    this.account = account;
    this.options = readOptions(params);
    this.view = { x: 0, y: 0, scale: 1 };
    this.size = { width: 0, height: 0 };
    this.objectUrl = null;
    this.request = 0;          // the newest load; older answers are dropped
    this.retry = null;
    this.live = new LiveStatus(account.id);
  }

  start() {
    this.root.append(this.controls(), this.stage(), this.live.panel(), this.exports(), this.versionsSection());
    this.load();
    this.loadVersions();
    this.live.connect();
  }

  apiPath(fmt, options = this.options) {
    return `/api/aws/account/${encodeURIComponent(this.account.id)}/${encodeURIComponent(options.region)}/${fmt}` +
      `?${query(options)}`;
  }

  // ---- controls ------------------------------------------------------------------------------

  controls() {
    const o = this.options;
    const accountSelect = el("select", { id: "diagram-account", onchange: (e) => {
      location.assign(`/app/diagram?account=${encodeURIComponent(e.target.value)}`);
    } }, this.accounts.map((a) => el("option", { value: a.id, selected: a === this.account }, a.name)));
    this.regionSelect = el("select", { id: "diagram-region", onchange: (e) => this.set({ region: e.target.value }) });
    this.fillRegions(this.account.regions);

    this.filterInput = el("input", { id: "diagram-filter", type: "search", value: o.filter, autocomplete: "off",
      spellcheck: "false", "aria-describedby": "diagram-filter-hint diagram-filter-error",
      placeholder: "type=ec2 AND env=prod" });
    this.filterError = el("p", { id: "diagram-filter-error", class: "field-error", "aria-live": "polite" });
    const filterForm = el("form", { class: "filter-form", role: "search", onsubmit: (e) => {
      e.preventDefault();
      this.set({ filter: this.filterInput.value.trim() });
    } },
      el("label", { for: "diagram-filter" }, "Filter"),
      el("div", { class: "row-form" }, this.filterInput,
        el("button", { type: "submit", class: "secondary" }, "Apply"),
        el("button", { type: "button", class: "secondary", onclick: () => {
          this.filterInput.value = "";
          this.set({ filter: "" });
        } }, "Clear")),
      el("p", { class: "hint", id: "diagram-filter-hint" },
        "Cloudcraft's grammar: a name, an id, type=rds, env=prod, tag=team; AND, OR, NOT and parentheses."),
      this.filterError);

    const tagKey = o.groupBy.startsWith("tag:") ? o.groupBy.slice(4) : "";
    const groupValue = tagKey ? "tag" : o.groupBy;
    this.groupSelect = el("select", { id: "diagram-group", onchange: () => this.groupChanged() },
      el("optgroup", { label: "Presets" }, PRESETS.map(([v, t]) => el("option", { value: v, selected: v === groupValue }, t))),
      el("optgroup", { label: "Custom" }, CUSTOM.map(([v, t]) => el("option", { value: v, selected: v === groupValue }, t))));
    this.tagInput = el("input", { id: "diagram-tag", value: tagKey, autocomplete: "off", size: 12 });
    this.tagField = el("form", { class: "tag-field", hidden: groupValue !== "tag", onsubmit: (e) => {
      e.preventDefault();
      this.groupChanged();
    } }, el("label", { for: "diagram-tag" }, "Tag key"), this.tagInput,
      el("button", { type: "submit", class: "secondary small" }, "Group"));

    return el("div", { class: "diagram-controls" },
      el("div", { class: "control" }, el("label", { for: "diagram-account" }, "Account"), accountSelect),
      el("div", { class: "control" }, el("label", { for: "diagram-region" }, "Region"), this.regionSelect),
      el("div", { class: "control" }, el("label", { for: "diagram-group" }, "Group by"), this.groupSelect, this.tagField),
      this.choice("projection", "Projection", [["2d", "2D"], ["isometric", "Isometric"]]),
      this.choice("theme", "Theme", [["light", "Light"], ["dark", "Dark"]]),
      filterForm);
  }

  choice(name, legend, values) {
    return el("fieldset", { class: "control choice" }, el("legend", {}, legend),
      values.map(([value, text]) => el("label", { class: "check" },
        el("input", { type: "radio", name: `diagram-${name}`, value, checked: this.options[name] === value,
          onchange: () => this.set({ [name]: value }) }), text)));
  }

  fillRegions(regions) {
    const current = this.options.region;
    const all = [...new Set([...regions, ...(current !== "all" ? [current] : [])])].sort();
    replace(this.regionSelect, el("option", { value: "all", selected: current === "all" }, "All regions"),
      all.map((r) => el("option", { value: r, selected: r === current }, r)));
  }

  // An account that lists no regions is synced in all its enabled ones: the regions come from its
  // blueprint, once the picture is shown (so it does not hold the picture up).
  async discoverRegions() {
    try {
      const reply = await api("GET", `/api/aws/account/${encodeURIComponent(this.account.id)}/all/json?groupBy=region`);
      if (reply.status !== 200) return;
      const regions = (reply.data.data.nodes || []).map((n) => n.region).filter((r) => typeof r === "string" && r);
      this.fillRegions([...new Set(regions)]);
      this.regionsKnown = true;
    } catch (error) {
      // the region list stays "All regions": the diagram itself says what went wrong
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
    const params = query(this.options);
    params.set("account", this.account.id);
    params.set("region", this.options.region);
    history.replaceState(null, "", `/app/diagram?${params}`);
    this.updateExports();
    this.load();
  }

  // ---- the picture ---------------------------------------------------------------------------

  stage() {
    this.status = el("div", { class: "diagram-status", "aria-live": "polite" });
    this.image = el("img", { class: "diagram-image", alt: "", draggable: "false" });
    this.canvas = el("div", { class: "diagram-canvas" }, this.image, this.live.layer);
    this.viewport = el("div", { class: "diagram-viewport", tabindex: "0", role: "region",
      "aria-label": "Diagram: drag or use the arrow keys to pan, + and - to zoom, 0 to fit",
      "aria-describedby": "diagram-summary" }, this.canvas);
    this.summary = el("p", { id: "diagram-summary", class: "muted small" });
    this.zoomLabel = el("output", { class: "zoom-level", "aria-live": "off" }, "100%");
    const tools = el("div", { class: "toolbar zoom-tools", role: "group", "aria-label": "Zoom" },
      el("button", { type: "button", class: "secondary small", "aria-label": "Zoom in", onclick: () => this.zoom(ZOOM_STEP) }, "+"),
      el("button", { type: "button", class: "secondary small", "aria-label": "Zoom out", onclick: () => this.zoom(1 / ZOOM_STEP) }, "−"),
      el("button", { type: "button", class: "secondary small", onclick: () => this.fit() }, "Fit"),
      this.zoomLabel);
    this.bindPanZoom();
    this.picture = el("section", { class: "diagram-stage", "aria-label": "Diagram", hidden: true },
      tools, this.viewport, this.summary);
    return el("div", {}, this.status, this.picture);
  }

  async load() {
    clearTimeout(this.retry);
    const id = ++this.request;
    const url = this.apiPath("svg");
    this.root.dataset.diagramRequest = url;       // which picture is shown (for tests and people)
    this.root.dataset.diagramState = "loading";
    this.setFilterError("");
    if (this.picture.hidden) replace(this.status, el("p", { class: "muted" }, "Loading the diagram…"));
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "image/svg+xml, application/json" } });
    } catch (error) {
      if (id === this.request) this.failed("cloudsketch did not answer: check your network connection");
      return;
    }
    if (id !== this.request) return;
    if (response.status === 202) {
      this.processing();
      return;
    }
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      if (id !== this.request) return;
      const text = data.error || `the request failed (HTTP ${response.status})`;
      if (response.status === 401) this.failed("your session has ended: sign in again", "/login", "Sign in");
      else if (response.status === 400 && /^filter\b/.test(text)) this.badFilter(text);
      else if (response.status === 400) this.failed(`${text}. Change the options above`);
      else if (response.status === 404) this.failed(`${text}. It may have been removed, or not shared with you`,
        "/app/accounts", "See the accounts");
      else this.failed(text);
      return;
    }
    const blob = await response.blob();
    const markup = await blob.text();
    if (id !== this.request) return;
    await this.show(blob, markup);
  }

  async show(blob, markup) {
    // The renderer places each component's icon with <use href="#n-...">: a count without parsing.
    const count = (markup.match(/href="#n-/g) || []).length;
    const widthMatch = /<svg[^>]*\swidth="([\d.]+)/.exec(markup), heightMatch = /<svg[^>]*\sheight="([\d.]+)/.exec(markup);
    if (count === 0) {
      this.empty();
      return;
    }
    const url = URL.createObjectURL(blob);
    const previous = this.objectUrl;
    this.objectUrl = url;
    const o = this.options;
    const where = o.region === "all" ? "all regions" : o.region;
    const description = `${count} component${count === 1 ? "" : "s"} of ${this.account.name}, ${where}, ` +
      `grouped by ${o.groupBy}, ${o.projection === "2d" ? "2D" : "isometric"}${o.filter ? `, filter ${o.filter}` : ""}`;
    this.image.alt = `Diagram: ${description}`;
    // Wait for "load" (the SVG parsed, its size known), not decode(): decoding rasterises the whole
    // picture at its natural size, many times what a fitted view paints.
    await new Promise((resolve) => {
      this.image.addEventListener("load", resolve, { once: true });
      this.image.addEventListener("error", resolve, { once: true });
      this.image.src = url;
    });
    if (previous) URL.revokeObjectURL(previous);
    this.size = {
      width: this.image.naturalWidth || Number(widthMatch && widthMatch[1]) || 800,
      height: this.image.naturalHeight || Number(heightMatch && heightMatch[1]) || 600,
    };
    this.image.style.width = `${this.size.width}px`;
    this.image.style.height = `${this.size.height}px`;
    this.live.picture(markup, this.size.width, this.size.height, o.projection === "isometric");
    replace(this.status);
    this.picture.hidden = false;
    this.viewport.classList.toggle("dark", o.theme === "dark");
    replace(this.summary, `${description}. Rendered `, when(new Date().toISOString()), ".");
    this.root.dataset.diagramState = "ready";
    this.root.dataset.components = String(count);
    if (!this.regionsKnown && this.account.regions.length === 0) this.discoverRegions();
    if (this.waited) {
      this.waited = false;
      this.loadVersions();
    }
    this.fit();   // a new picture (another grouping, projection or filter) has another size
  }

  processing() {
    this.waited = true;       // the versions are listed again when the first sync is in
    this.root.dataset.diagramState = "processing";
    this.picture.hidden = true;
    replace(this.status, el("div", { class: "empty" },
      el("p", { role: "status" }, "Still processing: the diagram appears when the account's first sync is in. " +
        "This page checks again every few seconds."),
      el("progress", { "aria-label": "Waiting for the diagram" }),
      el("p", {}, el("button", { type: "button", class: "secondary small", onclick: () => this.load() }, "Check now"),
        " or ", el("a", { href: "/app/accounts" }, "see the sync's progress on the accounts page"))));
    this.retry = setTimeout(() => this.load(), RETRY_MS);
  }

  empty() {
    this.root.dataset.diagramState = "empty";
    this.picture.hidden = true;
    const o = this.options;
    const advice = o.filter
      ? ["No component matches the filter ", el("code", {}, o.filter), ". Change it or clear it."]
      : o.region !== "all"
        ? [`The latest sync found no components in ${o.region}. Choose another region, or "All regions".`]
        : ["The latest sync found no components in this account. ",
          el("a", { href: "/app/accounts" }, "Sync it again"), " after creating resources, or check its gaps (limited access)."];
    replace(this.status, el("div", { class: "empty" }, el("h2", {}, "Nothing to draw"), el("p", {}, ...advice)));
  }

  badFilter(text) {
    this.root.dataset.diagramState = "bad-filter";
    this.setFilterError(`${text}. Correct the filter and apply it again.`);
    replace(this.status, this.picture.hidden ? message("error", "The filter is not valid: see the message under it.") : null);
  }

  setFilterError(text) {
    this.filterError.textContent = text;
    if (text) this.filterInput.setAttribute("aria-invalid", "true");
    else this.filterInput.removeAttribute("aria-invalid");
  }

  failed(text, href = null, linkText = null) {
    this.root.dataset.diagramState = "error";
    this.picture.hidden = true;
    replace(this.status, message("error", `Could not load the diagram: ${text}.`),
      el("p", {}, el("button", { type: "button", class: "secondary small", onclick: () => this.load() }, "Try again"),
        href ? [" or ", el("a", { href }, linkText)] : null));
  }

  // ---- pan and zoom: one CSS transform on the one image ---------------------------------------

  bindPanZoom() {
    let drag = null;
    this.viewport.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y };
      this.viewport.setPointerCapture(e.pointerId);
      this.viewport.classList.add("panning");
    });
    this.viewport.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.view.x = drag.vx + e.clientX - drag.x;
      this.view.y = drag.vy + e.clientY - drag.y;
      this.apply();
    });
    const end = () => {
      drag = null;
      this.viewport.classList.remove("panning");
    };
    this.viewport.addEventListener("pointerup", end);
    this.viewport.addEventListener("pointercancel", end);
    this.viewport.addEventListener("wheel", (e) => {
      e.preventDefault();
      const box = this.viewport.getBoundingClientRect();
      const pixels = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);   // lines, pages
      this.zoom(Math.exp(-pixels * 0.0015), e.clientX - box.left, e.clientY - box.top);
    }, { passive: false });
    this.viewport.addEventListener("keydown", (e) => {
      const step = e.shiftKey ? PAN_STEP * 4 : PAN_STEP;
      const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[e.key]) {
        this.view.x += moves[e.key][0];
        this.view.y += moves[e.key][1];
        this.apply();
      } else if (e.key === "+" || e.key === "=") this.zoom(ZOOM_STEP);
      else if (e.key === "-" || e.key === "_") this.zoom(1 / ZOOM_STEP);
      else if (e.key === "0") this.fit();
      else return;
      e.preventDefault();
    });
  }

  zoom(factor, cx = this.viewport.clientWidth / 2, cy = this.viewport.clientHeight / 2) {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.view.scale * factor));
    const k = scale / this.view.scale;
    // the point under (cx, cy) stays where it is
    this.view.x = cx - (cx - this.view.x) * k;
    this.view.y = cy - (cy - this.view.y) * k;
    this.view.scale = scale;
    this.apply();
  }

  fit() {
    const w = this.viewport.clientWidth || 800, h = this.viewport.clientHeight || 600;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min(w / this.size.width, h / this.size.height) * 0.96));
    this.view = { scale, x: (w - this.size.width * scale) / 2, y: (h - this.size.height * scale) / 2 };
    this.apply();
  }

  apply() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const { x, y, scale } = this.view;
      this.canvas.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
      this.zoomLabel.textContent = `${Math.round(scale * 100)}%`;
      // The picture is its own compositor layer (will-change: transform), so panning and zooming
      // only move it, without painting it again. A layer keeps the resolution it was painted at:
      // once the zoom stays put, it is painted once more, sharp, at the new scale.
      if (scale !== this.paintedScale) {
        clearTimeout(this.sharpen);
        this.sharpen = setTimeout(() => {
          this.paintedScale = this.view.scale;
          this.canvas.classList.add("repaint");
          requestAnimationFrame(() => requestAnimationFrame(() => this.canvas.classList.remove("repaint")));
        }, 250);
      }
    });
  }

  // ---- export --------------------------------------------------------------------------------

  exports() {
    this.exportList = el("ul", { class: "export-list" });
    this.updateExports();
    return el("details", { class: "export-menu" }, el("summary", {}, "Export"),
      el("p", { class: "hint" }, "Downloads with the options above (region, filter, grouping, projection, theme)."),
      this.exportList);
  }

  updateExports() {
    const base = fileName(`${this.account.name}-${this.options.region}`);
    replace(this.exportList, FORMATS.map(([fmt, text, ext]) => el("li", {},
      el("a", { href: this.apiPath(fmt), download: `${base}.${ext}`, "data-format": fmt }, text))));
  }

  // ---- versions and what changed -------------------------------------------------------------

  versionsSection() {
    this.versionsBody = el("div", {}, el("p", { class: "muted" }, "Loading the versions…"));
    this.diffResult = el("div", { class: "diff", "aria-live": "polite" });
    return el("section", { class: "versions", "aria-labelledby": "versions-title" },
      el("h2", { id: "versions-title" }, "Versions"),
      el("p", { class: "hint" }, "A version is kept each time a sync changes the account's resources (the newest 20)."),
      this.versionsBody, this.diffResult);
  }

  async loadVersions() {
    let versions;
    try {
      versions = (await api("GET", `/api/aws/account/${encodeURIComponent(this.account.id)}/versions`)).data.versions;
    } catch (error) {
      replace(this.versionsBody, message("error", `Could not list the versions: ${errorText(error)}. Reload the page to try again.`));
      return;
    }
    if (versions.length === 0) {
      replace(this.versionsBody, el("p", {}, "No version yet: the first appears when the account's first sync is in."));
      return;
    }
    const table = el("table", { class: "version-list" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Version"), el("th", { scope: "col" }, "Made"),
        el("th", { scope: "col" }, "By"))),
      el("tbody", {}, versions.map((v) => el("tr", {}, el("td", {}, `v${v.version}`), el("td", {}, when(v.createdAt)),
        el("td", {}, v.reason === "rebuild" ? "a rebuild from the inventory" : "a sync")))));
    if (versions.length < 2) {
      replace(this.versionsBody, table,
        el("p", {}, "One version so far: what changed can be shown after a sync that changes the account's resources."));
      return;
    }
    const options = (selected) => versions.map((v) => el("option", { value: v.version, selected: v.version === selected },
      `v${v.version}`));
    const from = el("select", { id: "diff-from" }, options(versions[1].version));
    const to = el("select", { id: "diff-to" }, options(versions[0].version));
    const form = el("form", { class: "row-form", onsubmit: (e) => {
      e.preventDefault();
      this.showDiff(Number(from.value), Number(to.value));
    } },
      el("label", { for: "diff-from" }, "From"), from, el("label", { for: "diff-to" }, "to"), to,
      el("button", { type: "submit", class: "secondary" }, "Show what changed"));
    replace(this.versionsBody, table, form);
  }

  async showDiff(from, to) {
    replace(this.diffResult, el("p", { class: "muted" }, "Comparing…"));
    let diff;
    try {
      diff = (await api("GET", `/api/aws/account/${encodeURIComponent(this.account.id)}/versions/${from}/diff/${to}`)).data.diff;
    } catch (error) {
      replace(this.diffResult, message("error", `Could not compare v${from} and v${to}: ${errorText(error)}.`));
      return;
    }
    const added = diff.added || [], removed = diff.removed || [], changed = Object.entries(diff.changed || {});
    const heading = el("h3", { id: "diff-title" }, `What changed from v${from} to v${to}`);
    if (!added.length && !removed.length && !changed.length) {
      replace(this.diffResult, heading, el("p", {}, "Nothing: the two versions hold the same components."));
      return;
    }
    const list = (title, keys, className) => el("section", { class: `diff-${className}` },
      el("h4", {}, `${title} (${keys.length})`),
      keys.length ? el("ul", {}, keys.map((k) => el("li", {}, el("code", {}, k)))) : el("p", { class: "muted" }, "None"));
    replace(this.diffResult, heading,
      list("Added", added, "added"),
      list("Removed", removed, "removed"),
      el("section", { class: "diff-changed" }, el("h4", {}, `Changed (${changed.length})`),
        changed.length ? el("ul", {}, changed.map(([key, fields]) => el("li", {}, el("code", {}, key),
          el("ul", {}, Object.entries(fields).map(([name, change]) => el("li", {},
            `${name}: ${show(change.old)} → ${show(change.new)}`)))))) : el("p", { class: "muted" }, "None")));
  }
}

function show(value) {
  if (value === null || value === undefined) return "(none)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

