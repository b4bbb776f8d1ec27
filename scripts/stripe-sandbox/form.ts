import { invalidRequest } from "./errors";

/**
 * Stripe's v1 API takes `application/x-www-form-urlencoded` bodies in bracket notation
 * (`line_items[0][price_data][currency]=usd`, `expand[]=x`). This rebuilds the nested value the SDK
 * flattened, turning objects whose keys are all indices into arrays.
 */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

function splitKey(key: string): string[] {
  const first = key.indexOf("[");
  if (first === -1) return [key];
  const parts = [key.slice(0, first)];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key.slice(first)))) parts.push(m[1]);
  return parts;
}

function normalize(value: unknown): FormValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(normalize);
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalize(obj[String(k)]));
  }
  const out: FormObject = {};
  for (const k of keys) out[k] = normalize(obj[k]);
  return out;
}

export function parseForm(body: string): FormObject {
  const root: Record<string, unknown> = {};
  if (!body) return root as FormObject;
  for (const pair of body.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? "" : pair.slice(eq + 1);
    const key = decodeURIComponent(rawKey.replace(/\+/g, " "));
    const value = decodeURIComponent(rawValue.replace(/\+/g, " "));
    const parts = splitKey(key);
    let node: Record<string, unknown> = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const last = i === parts.length - 1;
      if (part === "") {
        // `a[]=x`: append. Stored under the next free index so normalize() makes it an array.
        const index = String(Object.keys(node).length);
        if (last) node[index] = value;
        else node = (node[index] = {}) as Record<string, unknown>;
        continue;
      }
      if (last) {
        node[part] = value;
      } else {
        const next = node[part];
        if (typeof next !== "object" || next === null) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    }
  }
  return normalize(root) as FormObject;
}

/** Reads for typed access to a parsed form; Stripe's own coercions ("true"/"false", integer strings). */
export function str(v: FormValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function bool(v: FormValue | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return v === "true" || v === "1";
}

export function int(v: FormValue | undefined, param: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw invalidRequest(`Invalid integer: ${String(v)}`, param, "parameter_invalid_integer");
  return Number(v);
}

export function obj(v: FormValue | undefined): FormObject {
  return v && typeof v === "object" && !Array.isArray(v) ? v : {};
}

export function arr(v: FormValue | undefined): FormValue[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === "") return [];
  return [v];
}

/** Metadata values are strings; an empty string unsets a key, as in Stripe. */
export function mergeMetadata(current: Record<string, string>, v: FormValue | undefined): Record<string, string> {
  if (v === undefined) return current;
  if (v === "") return {};
  const out = { ...current };
  for (const [k, val] of Object.entries(obj(v))) {
    if (val === "") delete out[k];
    else out[k] = String(val);
  }
  return out;
}
