/**
 * The cache key (shared/cache/cache-key.ts) and what `explainParts` says changed: every part changes
 * the key, resources and attempt numbers do not, maps are order-insensitive, command lines and
 * gathered outputs are not; a missing checksum means no key, with why.
 */
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, keyOfHashes, parseCacheParts, PART_NAMES, type CacheParts } from '../../shared/cache/cache-key.js';
import { canonicalJson } from '../../shared/cache/canonical-json.js';
import { explainParts } from '../../shared/cache/explain-parts.js';
import type { OutputRecord } from '../../shared/events/catalog.js';
import type { AttemptRequest } from '../../shared/executor/executor.js';

const sha = (c: string) => c.repeat(64);

function request(over: Partial<AttemptRequest> = {}, spec: Partial<AttemptRequest['spec']> = {}): AttemptRequest {
  return {
    taskId: 't1',
    tool: 'align[A]',
    attempt: 1,
    owner: 'me',
    spec: {
      name: 'align[A]',
      cmds: ['bwa mem "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_sam"', 'echo done'],
      env: { LC_ALL: 'C', MODE: 'fast' },
      passEnv: ['HOME', 'PATH'],
      outputs: ['A.sam', 'A.log'],
      image: 'bwa:0.7',
      bindings: [
        { env: 'TF_ITEM_sample', value: 'A' },
        { env: 'TF_ITEM_fastq', input: 'samples/A/fastq' },
        { env: 'TF_OUT_sam', value: 'A.sam' },
        { env: 'TF_DEP_index_idx', outputs: [{ tool: 'index', path: 'ref.idx' }] },
      ],
      ...spec,
    },
    values: { min_quality: 20, mode: 'strict' },
    inputs: { ref: { key: 'me/u1/ref.fa', fileName: 'ref.fa', sha256: sha('a'), bytes: 10 }, 'samples/A/fastq': { key: 'me/u2/A.fq', fileName: 'A.fq', sha256: sha('b'), bytes: 20 } },
    deps: [{ tool: 'index', attempt: 1 }],
    resources: { cpuMillicores: 1000, memBytes: 1e9, diskBytes: null, timeSeconds: null },
    ...over,
  };
}

const depOutputs = (records: OutputRecord[] = [{ path: 'ref.idx', bytes: 5, sha256: sha('c') }, { path: 'ref.amb', bytes: 6, sha256: sha('d') }]) => new Map([['index', records]]);

function keyed(req: AttemptRequest, deps = depOutputs()): { key: string; parts: CacheParts } {
  const r = cacheKeyOf(req, deps);
  if (r.key === null) throw new Error(`no key: ${r.why}`);
  return r;
}

describe('cacheKeyOf', () => {
  const base = keyed(request());

  it('is a SHA-256 of the parts\' hashes, the same for the same request, and keeps each part\'s hash cut to 16 hex digits', () => {
    expect(base.key).toMatch(/^[0-9a-f]{64}$/);
    expect(keyed(request()).key).toBe(base.key);
    for (const p of PART_NAMES) expect(base.parts[p]).toMatch(/^[0-9a-f]{16}$/);
    // The key is made from the whole hashes: the stored (cut) ones do not give it.
    expect(keyOfHashes(base.parts)).not.toBe(base.key);
    expect(base.parts.detail.inputs.ref).toBe(sha('a'));
    expect(parseCacheParts(JSON.stringify(base.parts))).toEqual(base.parts);
  });

  // Each change, the part it must change, and only that part.
  const changes: [string, AttemptRequest, (typeof PART_NAMES)[number], ReturnType<typeof depOutputs>?][] = [
    ['a command line', request({}, { cmds: ['bwa mem -t 2 "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_sam"', 'echo done'] }), 'command'],
    ['the command lines\' order', request({}, { cmds: ['echo done', 'bwa mem "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_sam"'] }), 'command'],
    ['the tool name', request({ tool: 'align[B]' }, { name: 'align[B]' }), 'command'],
    ['a declared output', request({}, { outputs: ['A.sam', 'A.log', 'A.bai'] }), 'outputs'],
    ['an env value', request({}, { env: { LC_ALL: 'C', MODE: 'slow' } }), 'env'],
    ['a passed-through name', request({}, { passEnv: ['HOME'] }), 'env'],
    ['an option value', request({ values: { min_quality: 30, mode: 'strict' } }), 'values'],
    ['an option value\'s type', request({ values: { min_quality: '20', mode: 'strict' } }), 'values'],
    ['the image', request({}, { image: 'bwa:0.8' }), 'image'],
    ['an input\'s bytes', request({ inputs: { ...request().inputs, ref: { key: 'me/u1/ref.fa', fileName: 'ref.fa', sha256: sha('e') } } }), 'inputs'],
    ['a value binding', request({}, { bindings: [{ env: 'TF_ITEM_sample', value: 'B' }, ...request().spec.bindings!.slice(1)] }), 'items'],
    ['a gathered outputs binding\'s order', request({}, { bindings: [...request().spec.bindings!.slice(0, 3), { env: 'TF_DEP_index_idx', outputs: [{ tool: 'index', path: 'ref.idx' }, { tool: 'index', path: 'ref.amb' }] }] }), 'items'],
    ['a dependency\'s output bytes', request(), 'deps', depOutputs([{ path: 'ref.idx', bytes: 5, sha256: sha('f') }, { path: 'ref.amb', bytes: 6, sha256: sha('d') }])],
  ];
  it.each(changes)('changes with %s (its part only)', (_what, req, part, deps) => {
    const other = keyed(req, deps);
    expect(other.key).not.toBe(base.key);
    expect(PART_NAMES.filter((p) => other.parts[p] !== base.parts[p])).toEqual([part]);
  });

  it('changes when a staged item file\'s bytes change (the binding names the same stored input)', () => {
    const req = request();
    req.inputs['samples/A/fastq'] = { ...req.inputs['samples/A/fastq']!, sha256: sha('9') };
    const other = keyed(req);
    expect(PART_NAMES.filter((p) => other.parts[p] !== base.parts[p])).toEqual(['inputs', 'items']);
  });

  it('is scoped to the owner: another user\'s attempt with the same parts has another key (their passed-through PATH may differ)', () => {
    const theirs = keyed(request({ owner: 'you' }));
    expect(theirs.key).not.toBe(base.key);
    expect(PART_NAMES.filter((p) => theirs.parts[p] !== base.parts[p])).toEqual([]);
  });

  it('does not change with resources, the task, the attempt, the dependencies\' attempt numbers or work root', () => {
    const other = request({
      taskId: 't2',
      attempt: 3,
      workRoot: '/elsewhere',
      deps: [{ tool: 'index', attempt: 2 }],
      resources: { cpuMillicores: 4000, memBytes: 8e9, diskBytes: 1e10, timeSeconds: 60 },
    });
    expect(keyed(other).key).toBe(base.key);
  });

  it('does not change with the order of maps and sets: env, passed-through names, options, inputs, declared outputs, a dependency\'s outputs', () => {
    const r = request();
    const reordered = request(
      {
        values: { mode: 'strict', min_quality: 20 },
        inputs: { 'samples/A/fastq': r.inputs['samples/A/fastq']!, ref: r.inputs.ref! },
      },
      { env: { MODE: 'fast', LC_ALL: 'C' }, passEnv: ['PATH', 'HOME', 'PATH'], outputs: ['A.log', 'A.sam'] },
    );
    expect(keyed(reordered, depOutputs([{ path: 'ref.amb', bytes: 6, sha256: sha('d') }, { path: 'ref.idx', bytes: 5, sha256: sha('c') }])).key).toBe(base.key);
  });

  it('is cheap to make for a tool with no dependencies, inputs or bindings (the hot path of a no-op chain)', () => {
    const bare = request({ inputs: {}, deps: [], values: {} }, { bindings: undefined, env: {}, passEnv: undefined, image: null, outputs: [] });
    const r = cacheKeyOf(bare, new Map());
    expect(r.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cannot be made for an input without a checksum, a staged item file without one, or a dependency without recorded outputs', () => {
    const noSha = request({ inputs: { ...request().inputs, ref: { key: 'me/u1/ref.fa', fileName: 'ref.fa' } } });
    expect(cacheKeyOf(noSha, depOutputs())).toEqual({ key: null, why: 'input ref has no checksum (it was stored by a toolflow without cached reruns): upload it again' });
    const noDep = cacheKeyOf(request(), new Map());
    expect(noDep).toEqual({ key: null, why: 'dependency index (attempt 1) has no recorded outputs (it ran before outputs were checksummed)' });
    const unlisted = request({ inputs: { ref: request().inputs.ref! } });
    expect(cacheKeyOf(unlisted, depOutputs())).toEqual({ key: null, why: 'the file of TF_ITEM_fastq (input samples/A/fastq) has no checksum: upload it again' });
  });

  it('keeps no env value, only its hash; keeps short option values and hashes long ones', () => {
    const secretish = request({ values: { min_quality: 20, mode: 'x'.repeat(200) } }, { env: { API_KEY: 'hunter2-very-secret' } });
    const { parts } = keyed(secretish);
    const text = JSON.stringify(parts);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('x'.repeat(81));
    expect(parts.detail.values).toEqual({ min_quality: 20, mode: { sha256: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    expect(text.length).toBeLessThan(1200);
  });
});

describe('explainParts', () => {
  const base = keyed(request()).parts;
  const said = (req: AttemptRequest, deps?: ReturnType<typeof depOutputs>) => explainParts(keyed(req, deps).parts, base);

  it('says nothing when nothing changed', () => {
    expect(explainParts(keyed(request()).parts, base)).toEqual([]);
  });

  it('names each change in words', () => {
    expect(said(request({}, { cmds: ['bwa mem "$TF_INPUT_ref" "$TF_ITEM_fastq" > "$TF_OUT_sam"', 'echo finished'] }))).toEqual(['the command changed (line 2)']);
    expect(said(request({}, { cmds: ['true'] }))).toEqual(['the command changed (1 line, was 2)']);
    expect(said(request({ values: { min_quality: 30, mode: 'strict' } }))).toEqual(['option min_quality changed: 20 → 30']);
    expect(said(request({ values: { min_quality: 20, mode: 'strict', threads: 4 } }))).toEqual(['option threads was added']);
    expect(said(request({ values: { mode: 'x'.repeat(100), min_quality: 20 } }))).toEqual(['option mode changed: "strict" → (a long value)']);
    expect(said(request({}, { outputs: ['A.sam', 'A.bai'] }))).toEqual(['the declared outputs changed: added A.bai; removed A.log']);
    expect(said(request({}, { env: { LC_ALL: 'C', MODE: 'slow' }, passEnv: ['HOME', 'LANG', 'PATH'] }))).toEqual(['environment variable MODE changed', 'passed-through variable LANG added']);
    expect(said(request({}, { image: null }))).toEqual(['the image changed: bwa:0.7 → (none)']);
    const inputs = request().inputs;
    expect(said(request({ inputs: { ...inputs, ref: { ...inputs.ref!, sha256: sha('e') } } }))).toEqual(['input ref changed']);
    expect(said(request({}, { bindings: [{ env: 'TF_ITEM_sample', value: 'B' }, ...request().spec.bindings!.slice(1)] }))).toEqual(['TF_ITEM_sample changed: "A" → "B"']);
    expect(said(request(), depOutputs([{ path: 'ref.idx', bytes: 5, sha256: sha('0') }]))).toEqual(['the outputs of dependency index changed']);
    expect(said(request({ deps: [{ tool: 'index', attempt: 1 }, { tool: 'qc', attempt: 1 }] }), new Map([...depOutputs(), ['qc', []]]))).toEqual(['dependency qc was added']);
  });

  it('lists several changes in part order: command first, dependencies last', () => {
    const req = request({ values: { min_quality: 25, mode: 'strict' } }, { cmds: ['true', 'echo done'] });
    expect(explainParts(keyed(req, depOutputs([])).parts, base)).toEqual(['the command changed (line 1)', 'option min_quality changed: 20 → 25', 'the outputs of dependency index changed']);
  });
});

describe('parseCacheParts', () => {
  it('reads parts and unkeyed records; refuses other recipes, bad JSON and null', () => {
    expect(parseCacheParts('{"v":1,"none":"input ref has no checksum"}')).toEqual({ v: 1, none: 'input ref has no checksum' });
    expect(parseCacheParts('{"v":2,"none":"x"}')).toBeUndefined();
    expect(parseCacheParts('{"v":1,"command":"x"}')).toBeUndefined();
    expect(parseCacheParts('not json')).toBeUndefined();
    expect(parseCacheParts(null)).toBeUndefined();
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, leaves out undefined members, and refuses NaN', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' }, e: undefined })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('cannot hash the number NaN');
  });
});
