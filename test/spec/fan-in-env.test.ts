import { describe, expect, it } from 'vitest';
import { SpecError } from '../../shared/errors.js';
import { parseWorkflow } from '../../shared/spec/load.js';

/** A join relying on `n` tools. */
const fanIn = (n: number) => {
  let y = 'name: fan\ntools:\n  - {name: src, cmds: ["true"]}\n';
  for (let i = 0; i < n; i++) y += `  - {name: s${i}, cmds: ["true"], rely: [src]}\n`;
  return y + `  - {name: join, cmds: ["true"], rely: [${Array.from({ length: n }, (_, i) => `s${i}`).join(', ')}]}\n`;
};

describe('the environment of a joining tool', () => {
  it('a join over 1,000 tools (a 1,000-sample gather) is accepted', () => {
    expect(parseWorkflow('fan.yaml', fanIn(1000)).spec.tools).toHaveLength(1002);
  });

  it('a join over 100,000 tools is refused: its 100,000 TF_DEP_* variables pass what an exec takes', () => {
    let err: unknown;
    try {
      parseWorkflow('fan.yaml', fanIn(100_000));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toMatch(/the environment of tool "join" would take about \d+ bytes .* more than the 1048576-byte limit/);
  });
});
