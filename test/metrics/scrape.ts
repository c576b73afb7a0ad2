/**
 * Reading a Prometheus text exposition (format 0.0.4, what prom-client's `registry.metrics()`
 * writes) in tests: `# HELP` / `# TYPE` lines and samples `name{label="value",…} value`, label
 * values unescaped (`\\`, `\"`, `\n`). Only what the format defines; timestamps are not used here.
 */
import { request } from 'node:http';

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its type, help and samples (histogram `_bucket`, `_sum`, `_count` included). */
export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

/** Parses the exposition text. @throws naming the line that is not in the format. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') family(meta[2]!).type = meta[3]!;
      else family(meta[2]!).help = meta[3]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let lm;
    let read = 0;
    while ((lm = re.exec(body))) {
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      read = re.lastIndex;
    }
    if (read !== body.length) throw new Error(`bad labels in: ${line}`);
    const name = m[1]!;
    const base = families.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    const raw = m[3]!;
    family(families.has(base) ? base : name).samples.push({ name, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return families;
}

/** GETs `url` over loopback HTTP. @returns status, content type and body text. */
export function get(url: string): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), text }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** Scrapes `url` and parses it. @throws when the answer is not 200 text. */
export async function scrape(url: string): Promise<{ text: string; families: Map<string, Family> }> {
  const r = await get(url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.text}`);
  if (!r.contentType.startsWith('text/plain')) throw new Error(`GET ${url}: content type ${r.contentType}`);
  return { text: r.text, families: parseExposition(r.text) };
}

/** The value of the sample `name` whose labels include `labels` (undefined: none). */
export function valueOf(families: Map<string, Family>, family: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(family);
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}
