import { describe, expect, it } from 'vitest';
import { buildDag, closest, descendants, mermaidId, toMermaid } from '../../shared/spec/graph.js';

const nodes = (spec: Record<string, string[]>) => Object.entries(spec).map(([name, rely]) => ({ name, rely }));

describe('DAG', () => {
  it('orders tools topologically, declaration order among independent ones', () => {
    const { dag } = buildDag(nodes({ report: ['a', 'b'], a: ['src'], b: ['src'], src: [] }));
    expect(dag!.order.map((i) => dag!.names[i])).toEqual(['src', 'a', 'b', 'report']);
  });

  it('finds every descendant, breadth first', () => {
    const { dag } = buildDag(nodes({ a: [], b: ['a'], c: ['b'], d: ['a'], e: [] }));
    expect(descendants(dag!, 0).map((i) => dag!.names[i])).toEqual(['b', 'd', 'c']);
  });

  it('reports a two-node cycle in run order', () => {
    const { problems } = buildDag(nodes({ a: ['b'], b: ['a'] }));
    expect(problems).toHaveLength(1);
    expect(['dependency cycle: a -> b -> a', 'dependency cycle: b -> a -> b']).toContain(problems[0]!.message);
  });

  it('handles a 100,000-node chain and its cycle without recursion', () => {
    const n = 100_000;
    const list = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, rely: i ? [`t${i - 1}`] : [`t${n - 1}`] }));
    const { problems } = buildDag(list);
    expect(problems[0]!.message.split(' -> ')).toHaveLength(n + 1);
    list[0]!.rely = [];
    expect(buildDag(list).dag!.order).toHaveLength(n);
  });

  it('writes Mermaid with safe ids', () => {
    const { dag } = buildDag(nodes({ 'a-b': [], c: ['a-b'] }));
    expect(toMermaid(dag!)).toBe('flowchart TD\n  n_a_hb["a-b"]\n  n_c["c"]\n  n_a_hb --> n_c\n');
  });

  it('gives tools a-b and a__b different Mermaid ids (issue 7), each the same in every graph', () => {
    const { dag } = buildDag(nodes({ 'a-b': [], a__b: [], 'a_-b': ['a-b', 'a__b'] }));
    const text = toMermaid(dag!);
    expect(text).toBe(
      'flowchart TD\n  n_a_hb["a-b"]\n  n_a____b["a__b"]\n  n_a___hb["a_-b"]\n  n_a_hb --> n_a___hb\n  n_a____b --> n_a___hb\n',
    );
    expect(toMermaid(buildDag(nodes({ x: [], 'a-b': ['x'] })).dag!)).toContain('n_a_hb["a-b"]');
  });

  it('maps different names to different ids: every pair of names over "a", "b", "-", "_" up to 5 characters', () => {
    const names: string[] = [];
    const grow = (prefix: string) => {
      if (prefix.length > 0) names.push(prefix);
      if (prefix.length < 5) for (const c of ['a', 'b', '-', '_']) grow(prefix.length === 0 && (c === '-' || c === '_') ? 'a' + c : prefix + c);
    };
    grow('');
    const unique = [...new Set(names)];
    const ids = new Set(unique.map(mermaidId));
    expect(ids.size).toBe(unique.length);
    for (const id of ids) expect(id).toMatch(/^n_[A-Za-z0-9_]+$/);
  });

  it('maps planned instance names (brackets, dots) to different ids: every name over "a", "_", "-", ".", "[", "]", "u", "1" up to 4 characters', () => {
    const alphabet = ['a', '_', '-', '.', '[', ']', 'u', '1'];
    const names: string[] = [];
    const grow = (prefix: string) => {
      if (prefix.length > 0) names.push(prefix);
      if (prefix.length < 4) for (const c of alphabet) grow(prefix + c);
    };
    grow('');
    const ids = new Set(names.map(mermaidId));
    expect(ids.size).toBe(names.length);
    for (const id of ids) expect(id).toMatch(/^n_[A-Za-z0-9_]+$/);
    expect(mermaidId('align[A.1]')).toBe('n_align_oA_d1_c');
    expect(mermaidId('t[a b]')).toBe('n_t_oa_u20_b_c');
  });

  it('writes a plan\'s instances with their names as labels', () => {
    const { dag } = buildDag([
      { name: 'align[A]', rely: [] },
      { name: 'align[B]', rely: [] },
      { name: 'call', rely: ['align[A]', 'align[B]'] },
    ]);
    expect(toMermaid(dag!)).toBe('flowchart TD\n  n_align_oA_c["align[A]"]\n  n_align_oB_c["align[B]"]\n  n_call["call"]\n  n_align_oA_c --> n_call\n  n_align_oB_c --> n_call\n');
  });

  it('finds a cycle even when another tool relies on an unknown one', () => {
    const { dag, problems } = buildDag(nodes({ a: ['b'], b: ['a'], c: ['nope'] }));
    expect(dag).toBeUndefined();
    expect(problems.map((p) => p.kind).sort()).toEqual(['cycle', 'unknown']);
  });

  it('suggests only close names', () => {
    expect(closest('relly', ['rely', 'name'])).toBe('rely');
    expect(closest('zzzz', ['rely', 'name'])).toBeUndefined();
  });
});
