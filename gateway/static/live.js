// Live status on the diagram: an EventSource on GET /api/aws/account/{id}/live (snapshot and status
// events), drawn as a layer over the server's picture. The picture stays an <img>: its SVG text is
// parsed with DOMParser (never inserted into the page) only to learn where each component sits
// (each placed icon carries data-arn) and its name. The layer is an <svg> with the picture's
// viewBox inside the same transformed canvas, so it pans and zooms with it. Status is also text:
// each marker's title and label, and a list under the picture. Nothing is kept beyond the page.
import { el, replace, when } from "./lib.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// The renderer's status colours (services/diagram/render/icons.py STATUS) and what they mean.
export const STATES = [
  ["ok", "#1D8102", "OK"],
  ["warning", "#FF9900", "Warning"],
  ["critical", "#D13212", "Critical"],
  ["stopped", "#687078", "Stopped"],
  ["pending", "#0073BB", "Pending"],
  ["unknown", "#8D99A8", "Unknown"],
];
const COLOUR = Object.fromEntries(STATES.map(([name, colour]) => [name, colour]));
const LABEL = Object.fromEntries(STATES.map(([name, , label]) => [name, label]));
// The renderer's geometry (services/diagram/render/svg.py): a 2D tile is centred 20 px right of
// and below its (x, y); an isometric block (its top face and 12 px sides, about 41 px wide) is
// centred K/2 - 6 px below it (K = 40 / sqrt 2).
const K = 40 / Math.SQRT2;
const LIST_LIMIT = 200;     // the text list shows this many components (the most severe first)
const SEVERITY = { critical: 0, warning: 1, pending: 2, stopped: 3, unknown: 4, ok: 5 };

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

export function metricText(metric) {
  if (!metric) return "";
  const value = Number.isInteger(metric.value) ? String(metric.value) : metric.value.toFixed(2);
  return `${metric.name} ${value}${metric.unit && metric.unit !== "None" ? ` ${metric.unit}` : ""}`;
}

export function statusText(status) {
  const parts = [LABEL[status.status] || status.status];
  if (status.state) parts.push(status.state);
  const metric = metricText(status.metric);
  if (metric) parts.push(metric);
  return parts.join(", ");
}

export class LiveStatus {
  constructor(accountId) {
    this.accountId = accountId;
    this.statuses = new Map();    // arn -> the latest status received
    this.places = new Map();      // arn -> {x, y, name} in the picture's coordinates
    this.isometric = false;
    this.layer = svg("svg", { class: "live-layer", "aria-hidden": "true" });
    this.state = el("span", { class: "live-state" }, "connecting…");
    this.list = el("ul", { class: "live-list" });
    this.listNote = el("p", { class: "muted small" });
    this.received = 0;
  }

  // The legend and the text list, for the page (under the picture).
  panel() {
    const legend = el("ul", { class: "live-legend", "aria-label": "Status colours" },
      STATES.map(([name, colour, label]) => el("li", {},
        el("span", { class: "live-swatch", style: `background:${colour}`, "aria-hidden": "true" }), label)));
    return el("section", { class: "live-panel", "aria-labelledby": "live-title" },
      el("h2", { id: "live-title" }, "Live status ", this.state),
      el("p", { class: "hint" }, "Streamed from AWS while this page is open, never stored. " +
        "Components are outlined in their status colour; hover one (or read the list) for its state and key metric."),
      legend,
      el("details", { class: "live-details" }, el("summary", {}, "Status of each component"), this.listNote, this.list));
  }

  connect() {
    this.source = new EventSource(`/api/aws/account/${encodeURIComponent(this.accountId)}/live`);
    this.source.addEventListener("open", () => this.setState("live", "connected"));
    this.source.addEventListener("error", () => {
      // EventSource reconnects by itself (resuming with Last-Event-ID) unless the server refused.
      if (this.source.readyState === EventSource.CLOSED) this.setState("off", "unavailable (reload the page to try again)");
      else this.setState("waiting", "reconnecting…");
    });
    this.source.addEventListener("snapshot", (e) => this.onSnapshot(JSON.parse(e.data)));
    this.source.addEventListener("status", (e) => this.onStatus(JSON.parse(e.data)));
  }

  setState(name, text) {
    this.state.dataset.state = name;
    this.state.textContent = `(${text})`;
  }

  onSnapshot(snapshot) {
    for (const [arn, status] of this.statuses) {
      if (snapshot.region === null || status.region === snapshot.region) this.statuses.delete(arn);
    }
    for (const status of snapshot.statuses) this.statuses.set(status.arn, status);
    this.changed();
  }

  onStatus(status) {
    this.statuses.set(status.arn, status);
    this.changed();
  }

  changed() {
    this.received += 1;
    this.draw();
  }

  // A new picture: where each component is, from its SVG text (parsed, not shown).
  picture(markup, width, height, isometric) {
    const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
    const root = doc.documentElement;
    this.places.clear();
    if (root.nodeName !== "svg") return;
    this.isometric = isometric;
    for (const use of doc.querySelectorAll("use[data-arn]")) {
      const title = use.querySelector("title");
      this.places.set(use.getAttribute("data-arn"), {
        x: Number(use.getAttribute("x")) || 0, y: Number(use.getAttribute("y")) || 0,
        name: title ? title.textContent : use.getAttribute("data-arn"),
      });
    }
    this.layer.setAttribute("viewBox", root.getAttribute("viewBox") || `0 0 ${width} ${height}`);
    this.layer.setAttribute("width", width);
    this.layer.setAttribute("height", height);
    this.draw();
  }

  draw() {
    const markers = [];
    const rows = [];
    for (const [arn, status] of this.statuses) {
      const place = this.places.get(arn);
      if (!place) continue;      // not in this picture (another region, filtered out)
      const colour = COLOUR[status.status] || COLOUR.unknown;
      const text = `${place.name}: ${statusText(status)}`;
      const [cx, cy] = this.isometric ? [place.x, place.y + K / 2 - 6] : [place.x + 20, place.y + 20];
      const marker = svg("g", { class: "live-marker", "data-arn": arn, "data-status": status.status });
      marker.append(svg("circle", { cx, cy, r: this.isometric ? 26 : 27, fill: colour, "fill-opacity": 0.12,
        stroke: colour, "stroke-width": 4 }));
      const title = svg("title");
      title.textContent = text + (status.detail ? ` (${status.detail})` : "") +
        (status.metric && status.metric.source ? `. ${status.metric.source}` : "");
      marker.append(title);
      markers.push(marker);
      rows.push([SEVERITY[status.status] ?? 4, place.name, status]);
    }
    this.layer.replaceChildren(...markers);
    rows.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    replace(this.list, rows.slice(0, LIST_LIMIT).map(([, name, status]) => el("li", { "data-status": status.status },
      el("span", { class: "live-swatch", style: `background:${COLOUR[status.status] || COLOUR.unknown}`, "aria-hidden": "true" }),
      el("span", {}, `${name}: ${statusText(status)}`, status.observedAt ? [" (", when(status.observedAt), ")"] : null))));
    this.listNote.textContent = rows.length === 0 ? "No status yet for the components shown."
      : `${rows.length} component${rows.length === 1 ? "" : "s"} with a status${rows.length > LIST_LIMIT ? `, the ${LIST_LIMIT} most severe listed` : ""}.`;
    this.layer.dataset.marked = String(markers.length);
  }
}
