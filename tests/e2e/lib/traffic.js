// Records every HTTP exchange the SDKs make (both use the hoisted axios), so a failing assertion can show the exact
// request the client sent and what the server answered.
import axios from "axios";

const exchanges = [];
let installed = false;

function short(value, max = 1500) {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max) + "…" : text;
}

export function installRecorder() {
  if (installed) return;
  installed = true;
  axios.interceptors.request.use((config) => {
    config.metadata = { seq: exchanges.length };
    const url = axios.getUri(config);
    const entry = { method: (config.method || "get").toUpperCase(), url, body: config.data, status: undefined, reply: undefined };
    exchanges.push(entry);
    config.metadata.entry = entry;
    return config;
  });
  axios.interceptors.response.use(
    (res) => {
      const entry = res.config.metadata?.entry;
      if (entry) {
        entry.status = res.status;
        entry.reply = res.data;
      }
      return res;
    },
    (err) => {
      const entry = err.config?.metadata?.entry;
      if (entry) {
        entry.status = err.response?.status ?? `network error ${err.code ?? err.message}`;
        entry.reply = err.response?.data;
      }
      return Promise.reject(err);
    },
  );
}

/** Index to pass to since(). */
export function mark() {
  return exchanges.length;
}

/** Exchanges recorded after the mark. */
export function since(markIndex) {
  return exchanges.slice(markIndex);
}

export function describeExchanges(list) {
  return list
    .map((e) => {
      const path = e.url.replace(/^https?:\/\/[^/]+/, "");
      return `  ${e.method} ${path}${e.body !== undefined ? " body=" + short(e.body) : ""}\n    -> ${e.status} ${short(e.reply)}`;
    })
    .join("\n");
}
