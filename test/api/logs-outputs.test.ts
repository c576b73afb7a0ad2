/**
 * A tool's logs and output files through the user API (issue 8, section 4): logs as they are and
 * followed until the attempt ends; outputs listed and streamed; path tricks in output and tool
 * names refused, a tool's symbolic link out of its work dir never followed.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startApi, type TestApi } from '../support/api.js';

let api: TestApi;
let ann: string;

interface TaskJson {
  status: string;
  tools: { name: string; status: string; attempts: { status: string }[] }[];
}

async function submit(text: string): Promise<string> {
  const r = await api.call('POST', '/v1/tasks', { token: ann, body: { workflow: text } });
  expect(r.status, r.text).toBe(202);
  return (r.json as { taskId: string }).taskId;
}

async function task(id: string): Promise<TaskJson> {
  return (await api.call('GET', `/v1/tasks/${id}`, { token: ann })).json as TaskJson;
}

async function finished(id: string): Promise<TaskJson> {
  let t: TaskJson | undefined;
  await eventually(async () => ['succeeded', 'failed', 'cancelled'].includes((t = await task(id)).status), `task ${id} to finish`);
  return t!;
}

/** 200 KiB of every byte value, written by the tool with printf from a file the test wrote. */
const BINARY = Buffer.from(Array.from({ length: 200 * 1024 }, (_, i) => (i * 7919) % 256));
let outputsTask: string;

beforeAll(async () => {
  api = await startApi();
  ann = await api.token('ann');
  const src = join(api.home, 'binary.src');
  writeFileSync(src, BINARY);
  outputsTask = await submit(
    [
      'name: outs',
      'tools:',
      '  - name: make',
      '    outputs: [bin.dat, out/nested.txt, empty.txt, link.txt, folder]',
      '    cmds:',
      `      - cp '${src}' bin.dat`,
      '      - "mkdir -p out folder && echo nested > out/nested.txt && true > empty.txt"',
      '      - ln -s /etc/passwd link.txt',
      "      - 'echo \"to stdout\"; echo \"to stderr\" >&2'",
      '  - {name: retried, cmds: ["echo attempt $TF_ATTEMPT; [ $TF_ATTEMPT -ge 2 ]"], retry: {max: 2, on: [exit]}}',
      '',
    ].join('\n'),
  );
  await finished(outputsTask);
});
afterAll(async () => {
  await api?.close();
});

describe('GET …/logs', () => {
  it('answers stdout (the default) or stderr of the latest attempt, or of the one asked for', async () => {
    const base = `/v1/tasks/${outputsTask}/tools`;
    const out = await api.call('GET', `${base}/make/logs`, { token: ann });
    expect([out.status, out.text, out.headers['content-type']]).toEqual([200, 'to stdout\n', 'text/plain; charset=utf-8']);
    expect((await api.call('GET', `${base}/make/logs?stream=stderr`, { token: ann })).text).toBe('to stderr\n');
    expect((await api.call('GET', `${base}/retried/logs`, { token: ann })).text).toBe('attempt 2\n');
    expect((await api.call('GET', `${base}/retried/logs?attempt=1`, { token: ann })).text).toBe('attempt 1\n');
  });

  it('answers 404 naming what exists for an unknown tool or attempt, and 400 for a bad stream or attempt', async () => {
    const base = `/v1/tasks/${outputsTask}/tools`;
    const tool = await api.call('GET', `${base}/nope/logs`, { token: ann });
    expect([tool.status, tool.json]).toEqual([404, { code: 'NOT_FOUND', message: `task ${outputsTask} has no tool "nope"; its tools: make, retried` }]);
    const attempt = await api.call('GET', `${base}/retried/logs?attempt=3`, { token: ann });
    expect([attempt.status, attempt.json]).toEqual([404, { code: 'NOT_FOUND', message: `tool retried of task ${outputsTask} has no attempt 3; it has attempts 1 to 2` }]);
    expect((await api.call('GET', `${base}/make/logs?stream=both`, { token: ann })).status).toBe(400);
    expect((await api.call('GET', `${base}/make/logs?attempt=0`, { token: ann })).status).toBe(400);
  });

  it('answers 404 for the logs of an attempt that never ran', async () => {
    const id = await submit('name: skip\ntools:\n  - {name: a, cmds: ["false"]}\n  - {name: b, cmds: ["true"], rely: [a]}\n');
    await finished(id);
    const r = await api.call('GET', `/v1/tasks/${id}/tools/b/logs`, { token: ann });
    expect([r.status, (r.json as { message: string }).message]).toEqual([404, 'tool b attempt 1 never ran (skipped: a failed)']);
  });

  it('follow=true keeps the answer open while the attempt runs, carrying each line as it is written, and ends when the attempt ends', async () => {
    const gate = join(api.home, 'gate');
    const id = await submit(`name: follow\ntools:\n  - {name: slow, cmds: ["echo first", "while [ ! -e '${gate}' ]; do sleep 0.05; done", "echo second"]}\n`);
    let received = '';
    let statusWhenFirst: string | undefined;
    const answer = api.call('GET', `/v1/tasks/${id}/tools/slow/logs?follow=true`, {
      token: ann,
      onChunk: (chunk) => {
        received += chunk.toString();
        if (received === 'first\n' && statusWhenFirst === undefined) {
          statusWhenFirst = 'seen';
          // The first line arrived while the tool still waits for the gate: the answer is open.
          void task(id).then((t) => {
            statusWhenFirst = t.tools[0]!.status;
            writeFileSync(gate, '');
          });
        }
      },
    });
    const r = await answer;
    expect(statusWhenFirst).toBe('running');
    expect([r.status, r.text]).toEqual([200, 'first\nsecond\n']);
    expect((await task(id)).tools[0]!.status).toBe('succeeded');
  });

  it('follow=true on an attempt that has ended answers its whole log and ends', async () => {
    const r = await api.call('GET', `/v1/tasks/${outputsTask}/tools/retried/logs?attempt=1&follow=true`, { token: ann });
    expect([r.status, r.text]).toEqual([200, 'attempt 1\n']);
  });
});

describe('GET …/outputs', () => {
  it('lists the declared outputs that are regular files inside the work dir, with their sizes', async () => {
    const r = await api.call('GET', `/v1/tasks/${outputsTask}/tools/make/outputs`, { token: ann });
    expect([r.status, r.json]).toEqual([
      200,
      {
        taskId: outputsTask,
        tool: 'make',
        attempt: 1,
        // link.txt (a link to /etc/passwd) and folder (a directory) are not served.
        outputs: [
          { name: 'bin.dat', size: BINARY.length },
          { name: 'out/nested.txt', size: 7 },
          { name: 'empty.txt', size: 0 },
        ],
      },
    ]);
  });

  it('streams one output byte for byte, with its length and file name', async () => {
    const r = await api.call('GET', `/v1/tasks/${outputsTask}/tools/make/outputs/bin.dat`, { token: ann });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-length']).toBe(String(BINARY.length));
    expect(r.headers['content-disposition']).toBe('attachment; filename="bin.dat"; filename*=UTF-8\'\'bin.dat');
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(createHash('sha256').update(BINARY).digest('hex'));
    const empty = await api.call('GET', `/v1/tasks/${outputsTask}/tools/make/outputs/empty.txt`, { token: ann });
    expect([empty.status, empty.body.length, empty.headers['content-length']]).toEqual([200, 0, '0']);
  });

  it('serves an output in a subfolder by its declared name, with "/" written as is or as %2F', async () => {
    for (const path of ['out/nested.txt', 'out%2Fnested.txt']) {
      const r = await api.call('GET', `/v1/tasks/${outputsTask}/tools/make/outputs/${path}`, { token: ann });
      expect([r.status, r.text]).toEqual([200, 'nested\n']);
    }
  });

  it('refuses names that are not declared outputs, however they try to leave the work dir (404)', async () => {
    const base = `/v1/tasks/${outputsTask}/tools/make/outputs`;
    for (const name of ['..%2F..%2F..%2Fetc%2Fpasswd', '%2E%2E/%2E%2E/command.sh', 'out/..%2F..%2Fretried%2Fattempt-1%2Fstdout.log', '%2Fetc%2Fpasswd', 'stdout.log', 'bin.dat%00.txt']) {
      const r = await api.call('GET', `${base}/${name}`, { token: ann });
      expect(r.status, name).toBe(404);
      expect((r.json as { message: string }).message, name).toContain(`has no output`);
      expect((r.json as { message: string }).message).toContain('its outputs: bin.dat, out/nested.txt, empty.txt, link.txt, folder');
    }
  });

  it('refuses a declared output that is a link out of the work dir or a folder (404), without following it', async () => {
    for (const name of ['link.txt', 'folder']) {
      const r = await api.call('GET', `/v1/tasks/${outputsTask}/tools/make/outputs/${name}`, { token: ann });
      expect([r.status, (r.json as { message: string }).message]).toEqual([404, `tool make attempt 1 of task ${outputsTask}: output "${name}" is not a file in its work dir (not written, or not a regular file inside it)`]);
      expect(r.text).not.toContain('root:');
    }
  });
});

describe('tool names in paths', () => {
  it('refuses a tool name that is not one (400) before anything reaches a path: "..", encoded slashes, dots', async () => {
    for (const tool of ['%2E%2E', '..%2F..%2Fetc', 'a%2F..', '.hidden', 'a.b', '-x']) {
      for (const tail of ['logs', 'outputs', 'outputs/bin.dat']) {
        const r = await api.call('GET', `/v1/tasks/${outputsTask}/tools/${tool}/${tail}`, { token: ann });
        expect([r.status, (r.json as { code: string }).code], `${tool}/${tail}`).toEqual([400, 'BAD_REQUEST']);
      }
    }
  });
});
