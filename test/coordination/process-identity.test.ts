import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { currentProcess, isKnownDead, processStartTime } from '../../shared/process-identity.js';

describe('process identity', () => {
  it('a SIGKILLed process that is still a zombie (not yet reaped) is known to be dead', async () => {
    // `sh` starts `sleep` and waits on nothing; the sleep killed, it stays a zombie until sh reaps it.
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number(await new Promise<string>((r) => sh.stdout.once('data', (d) => r(String(d).trim()))));
    const who = { ...currentProcess(), pid, start: processStartTime(pid) };
    expect(isKnownDead(who)).toBe(false);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && !isKnownDead(who); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isKnownDead(who)).toBe(true);
    sh.kill('SIGKILL');
  });

  it('a pid now used by another process (another start time) is known to be dead; this process is not', () => {
    expect(isKnownDead(currentProcess())).toBe(false);
    expect(isKnownDead({ ...currentProcess(), start: '1' })).toBe(true);
    expect(isKnownDead({ ...currentProcess(), host: 'another-machine', pid: 999999 })).toBe(false);
  });
});
