// Language name (a fence's info word) -> CodeMirror language support. Lezer grammars where CodeMirror has
// one for the languages runbooks use most; legacy stream modes for the rest (small and good enough).
import {StreamLanguage} from "@codemirror/language";
import {python} from "@codemirror/lang-python";
import {javascript} from "@codemirror/lang-javascript";
import {json} from "@codemirror/lang-json";
import {yaml} from "@codemirror/lang-yaml";
import {sql, PostgreSQL, MySQL, SQLite} from "@codemirror/lang-sql";
import {go} from "@codemirror/lang-go";
import {shell} from "@codemirror/legacy-modes/mode/shell";
import {dockerFile} from "@codemirror/legacy-modes/mode/dockerfile";
import {toml} from "@codemirror/legacy-modes/mode/toml";
import {diff} from "@codemirror/legacy-modes/mode/diff";
import {powerShell} from "@codemirror/legacy-modes/mode/powershell";
import {ruby} from "@codemirror/legacy-modes/mode/ruby";
import {rust} from "@codemirror/legacy-modes/mode/rust";
import {lua} from "@codemirror/legacy-modes/mode/lua";
import {perl} from "@codemirror/legacy-modes/mode/perl";
import {nginx} from "@codemirror/legacy-modes/mode/nginx";
import {properties} from "@codemirror/legacy-modes/mode/properties";
import {xml, html} from "@codemirror/legacy-modes/mode/xml";
import {css} from "@codemirror/legacy-modes/mode/css";
import {c, cpp, java, kotlin, csharp} from "@codemirror/legacy-modes/mode/clike";
import {protobuf} from "@codemirror/legacy-modes/mode/protobuf";
import {http} from "@codemirror/legacy-modes/mode/http";

const stream = (mode) => () => StreamLanguage.define(mode);

const FACTORIES = {
  shell: stream(shell),
  python: () => python(),
  javascript: () => javascript({jsx: true}),
  typescript: () => javascript({typescript: true, jsx: true}),
  json: () => json(),
  yaml: () => yaml(),
  sql: () => sql(),
  postgresql: () => sql({dialect: PostgreSQL}),
  mysql: () => sql({dialect: MySQL}),
  sqlite: () => sql({dialect: SQLite}),
  go: () => go(),
  dockerfile: stream(dockerFile),
  toml: stream(toml),
  diff: stream(diff),
  powershell: stream(powerShell),
  ruby: stream(ruby),
  rust: stream(rust),
  lua: stream(lua),
  perl: stream(perl),
  nginx: stream(nginx),
  properties: stream(properties),
  xml: stream(xml),
  html: stream(html),
  css: stream(css),
  c: stream(c),
  cpp: stream(cpp),
  java: stream(java),
  kotlin: stream(kotlin),
  csharp: stream(csharp),
  protobuf: stream(protobuf),
  http: stream(http),
};

const ALIASES = {
  sh: "shell", bash: "shell", zsh: "shell", ksh: "shell", fish: "shell", shell: "shell", shellscript: "shell",
  console: "shell", terminal: "shell", "shell-session": "shell", dash: "shell", ash: "shell",
  py: "python", python: "python", python3: "python", py3: "python", ipython: "python",
  js: "javascript", javascript: "javascript", node: "javascript", mjs: "javascript", cjs: "javascript", jsx: "javascript",
  ts: "typescript", typescript: "typescript", tsx: "typescript", deno: "typescript",
  json: "json", jsonc: "json", json5: "json", geojson: "json",
  yaml: "yaml", yml: "yaml",
  sql: "sql", psql: "postgresql", postgres: "postgresql", postgresql: "postgresql", pgsql: "postgresql",
  mysql: "mysql", mariadb: "mysql", sqlite: "sqlite", sqlite3: "sqlite",
  go: "go", golang: "go",
  dockerfile: "dockerfile", docker: "dockerfile", containerfile: "dockerfile",
  toml: "toml", diff: "diff", patch: "diff",
  powershell: "powershell", pwsh: "powershell", ps1: "powershell", ps: "powershell",
  ruby: "ruby", rb: "ruby", rust: "rust", rs: "rust", lua: "lua", perl: "perl", pl: "perl",
  nginx: "nginx", ini: "properties", properties: "properties", conf: "properties", cfg: "properties", env: "properties",
  dotenv: "properties", xml: "xml", svg: "xml", html: "html", htm: "html", css: "css",
  c: "c", h: "c", cpp: "cpp", "c++": "cpp", cc: "cpp", hpp: "cpp", java: "java", kotlin: "kotlin", kt: "kotlin",
  csharp: "csharp", cs: "csharp", "c#": "csharp", proto: "protobuf", protobuf: "protobuf", http: "http",
};

const cache = new Map();

/** The canonical language id for a fence language (or "" when we have no highlighter for it). */
export function canonicalLanguage(name) {
  return ALIASES[String(name || "").trim().toLowerCase()] || "";
}

/** A CodeMirror extension highlighting `name`, or [] for plain text. */
export function languageExtension(name) {
  const id = canonicalLanguage(name);
  if (!id) return [];
  if (!cache.has(id)) cache.set(id, FACTORIES[id]());
  return cache.get(id);
}
