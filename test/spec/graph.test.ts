import { describe, expect, it } from 'vitest';
import { buildDag, closest, descendants, toMermaid } from '../../shared/spec/graph.js';

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
    expect(toMermaid(dag!)).toBe('flowchart TD\n  n_a__b["a-b"]\n  n_c["c"]\n  n_a__b --> n_c\n');
  });

  it('suggests only close names', () => {
    expect(closest('relly', ['rely', 'name'])).toBe('rely');
    expect(closest('zzzz', ['rely', 'name'])).toBeUndefined();
  });
});
