/**
 * What the notify function says: toolflow's events as markdown messages (title + text), the
 * digest of messages folded by the rate limit, and the two rules every message follows:
 *
 * - **User text is escaped** (`escapeMarkdown`): task and tool names, owners, errors, alert labels
 *   are data, never markup. CommonMark backslash escapes (CommonMark 0.31 §2.4: any ASCII
 *   punctuation may be escaped) on the characters that make inline markup anywhere (`\`, `` ` ``,
 *   `*`, `_`, `[`, `]`, `<`, `>`, `~`, `|`) and on those that start a block at the beginning of a
 *   line (`#`, `-`, `+`, `=`, `1.`, `1)`), so a name like `**x**[y](http://…)` shows as written and
 *   links nowhere; `<` is escaped too because DingTalk renders `<font>` HTML.
 * - **Messages stay under the size limit** (`fitText`): `MAX_TEXT_BYTES` of UTF-8 for the text,
 *   `MAX_TITLE_BYTES` for the title. Past it, whole blocks are dropped from the end (a block cut in
 *   the middle is cut at a line, else at a character, never inside an escape or a UTF-8 sequence)
 *   and a last line says how much was cut and where to read the rest.
 *
 * **The limit and its source**: DingTalk's custom robot documentation states no byte limit for a
 * markdown message, and the figures people publish disagree: 20,000 bytes (the figure most SDKs and
 * notes use), 5,000 and 4,000 characters (other notes), and DingTalk's enterprise robot API caps
 * its `msgParam` at 15,000 bytes (help.dingtalk.io, "the robot sends a group message"). 4,000 bytes
 * of UTF-8 is under every one of them, whatever the script (a character takes at least one byte),
 * and still holds a task failure with a dozen failed tools or about fifteen alerts.
 */
import { EventType, type EventData, type ToolflowEvent } from '../events/catalog.js';

/** Largest `markdown.text` sent, bytes of UTF-8 (see the module's doc for the source). */
export const MAX_TEXT_BYTES = 4000;
/** Largest `markdown.title` sent, bytes of UTF-8: the chat list shows about one line of it. */
export const MAX_TITLE_BYTES = 120;
/** Room kept for the note that says what was cut, bytes. */
const NOTE_RESERVE_BYTES = 240;

/** A message before it goes out: its title, its text, and one line that stands for it in a digest. */
export interface NotifyMessage {
  title: string;
  text: string;
  /** One escaped markdown line summarising it (what a digest lists). */
  summary: string;
}

/** What the store says about a task, when it could be read (the notify function only reads). */
export interface TaskInfo {
  name: string;
  owner: string;
  /** Epoch ms. */
  startedAt?: number | null;
  /** Epoch ms. */
  finishedAt?: number | null;
  /** The latest attempt of each tool that failed for good, in the task's order. */
  failedTools: { tool: string; attempt: number; reason: string | null; message: string | null }[];
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Characters that make inline markup anywhere (and `<`, for DingTalk's HTML). */
const INLINE = /[\\`*_[\]<>~|]/g;

/**
 * `text` as markdown that shows it literally: line endings made `\n`, control characters other
 * than `\n` and `\t` dropped, markup characters backslash-escaped (the module's doc).
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(INLINE, '\\$&')
      // Block markers at the start of a line (after its indentation).
      .replace(/^([ \t]*)([#+=-])/gm, '$1\\$2')
      .replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2')
  );
}

/** `text` on one line (newlines and tabs as spaces), escaped, at most `maxChars` characters. */
export function escapeInline(text: string, maxChars = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return escapeMarkdown(chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : flat);
}

/** Multi-line user text as a markdown quote: each line escaped, hard line breaks between them. */
export function quote(text: string): string {
  return escapeMarkdown(text.trimEnd())
    .split('\n')
    .map((l) => `> ${l}`)
    .join('  \n');
}

/** `s` cut to at most `limit` bytes of UTF-8 at a character boundary, never ending inside an escape (`\`). */
export function cutBytes(s: string, limit: number): string {
  if (bytes(s) <= limit) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (used + b > limit) break;
    out += ch;
    used += b;
  }
  // An odd run of backslashes at the end would escape whatever follows: drop the last one.
  const run = /\\+$/.exec(out)?.[0].length ?? 0;
  return run % 2 === 1 ? out.slice(0, -1) : out;
}

/** A title: one line, at most `MAX_TITLE_BYTES` (it is not markdown: no escaping). */
export function fitTitle(title: string): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  return bytes(flat) <= MAX_TITLE_BYTES ? flat : `${cutBytes(flat, MAX_TITLE_BYTES - bytes('…'))}…`;
}

/**
 * Joins `blocks` (markdown, already escaped) with blank lines, within `limit` bytes: when they do
 * not fit, the blocks that fit are kept whole, the first that does not is cut at a line (else at a
 * character) when a useful part of it fits, the rest dropped, and a note ends the text:
 * `_toolflow cut this message to fit the robot's 4000-byte limit: 1234 bytes not shown, from part 5 of 9 on; <more>_`.
 * @param more escaped markdown saying where to read everything (`run toolflow status <id>`), or ''.
 * @returns text of at most `limit` bytes.
 */
export function fitText(blocks: string[], limit = MAX_TEXT_BYTES, more = ''): string {
  const full = blocks.join('\n\n');
  if (bytes(full) <= limit) return full;
  const budget = limit - NOTE_RESERVE_BYTES - bytes(more);
  const kept: string[] = [];
  let used = 0;
  let from = blocks.length;
  for (const [i, block] of blocks.entries()) {
    const sep = kept.length ? 2 : 0;
    if (used + sep + bytes(block) <= budget) {
      kept.push(block);
      used += sep + bytes(block);
      continue;
    }
    // The first block that does not fit: as many of its lines as fit, else its first characters.
    const room = budget - used - sep;
    if (room >= 80) {
      const lines = block.split('\n');
      let part = '';
      for (const line of lines) {
        const next = part ? `${part}\n${line}` : line;
        if (bytes(next) > room) break;
        part = next;
      }
      if (!part) part = cutBytes(block, room);
      part = part.replace(/ +$/, '');
      if (part) {
        kept.push(part);
        used += sep + bytes(part);
      }
    }
    from = i;
    break;
  }
  const shown = bytes(kept.join('\n\n'));
  const cut = bytes(full) - shown;
  const note = `_toolflow cut this message to fit the robot's ${limit}-byte limit: ${cut} bytes not shown, from part ${from + 1} of ${blocks.length} on${more ? `; ${more}` : ''}_`;
  const text = kept.length ? `${kept.join('\n\n')}\n\n${note}` : note;
  return bytes(text) <= limit ? text : cutBytes(text, limit);
}

/** A duration for people: `42s`, `3m 05s`, `2h 10m`. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The task line: name, id, owner (and how long it ran, when known). */
function taskLine(taskId: string, info: TaskInfo | undefined): string {
  if (!info) return `**task** ${escapeInline(taskId)}`;
  const took = info.startedAt && info.finishedAt ? ` · ran ${duration(info.finishedAt - info.startedAt)}` : '';
  return `**task** ${escapeInline(info.name, 120)} (${escapeInline(taskId)}) · owner ${escapeInline(info.owner, 120)}${took}`;
}

/** Where to read more about a task. */
const statusHint = (taskId: string) => `run toolflow status ${escapeInline(taskId)} for everything`;

/** The message of a task that ended or a tool that failed or is rerun; `info` from the store when it could be read. */
export function eventMessage(event: ToolflowEvent, info?: TaskInfo): NotifyMessage {
  const data = event.data as { taskId: string };
  const taskId = data.taskId;
  const name = info ? info.name : taskId;
  /** The task in a title: `name (id)`, or the id alone when the store did not say its name. */
  const task = info ? `${info.name} (${taskId})` : taskId;
  switch (event.type) {
    case EventType.taskFailed: {
      const d = event.data as EventData[typeof EventType.taskFailed];
      const blocks = ['### toolflow: task failed', taskLine(taskId, info)];
      if (d.error) blocks.push(`**error**\n\n${quote(d.error)}`);
      const failed = info?.failedTools ?? [];
      if (failed.length) {
        blocks.push(`**failed tools** (${failed.length})`);
        for (const t of failed) {
          blocks.push(`- **${escapeInline(t.tool, 120)}** (attempt ${t.attempt})${t.reason ? `: ${escapeInline(t.reason)}` : ''}${t.message ? ` · ${escapeInline(t.message, 600)}` : ''}`);
        }
      }
      return {
        title: fitTitle(`toolflow: task failed: ${task}`),
        text: fitText(blocks, MAX_TEXT_BYTES, statusHint(taskId)),
        summary: `task failed: ${escapeInline(name, 80)} (${escapeInline(taskId)})${d.error ? `: ${escapeInline(d.error, 160)}` : ''}`,
      };
    }
    case EventType.taskSucceeded:
      return {
        title: fitTitle(`toolflow: task succeeded: ${task}`),
        text: fitText(['### toolflow: task succeeded', taskLine(taskId, info)], MAX_TEXT_BYTES, statusHint(taskId)),
        summary: `task succeeded: ${escapeInline(name, 80)} (${escapeInline(taskId)})`,
      };
    case EventType.taskCancelled: {
      const d = event.data as EventData[typeof EventType.taskCancelled];
      return {
        title: fitTitle(`toolflow: task cancelled: ${task}`),
        text: fitText(['### toolflow: task cancelled', taskLine(taskId, info), ...(d.error ? [quote(d.error)] : [])], MAX_TEXT_BYTES, statusHint(taskId)),
        summary: `task cancelled: ${escapeInline(name, 80)} (${escapeInline(taskId)})`,
      };
    }
    case EventType.toolFailed: {
      const d = event.data as EventData[typeof EventType.toolFailed];
      return {
        title: fitTitle(`toolflow: tool failed: ${d.tool} in ${task}`),
        text: fitText(
          ['### toolflow: tool failed', `**tool** ${escapeInline(d.tool, 120)} · attempt ${d.attempt} · ${escapeInline(d.reason)}`, taskLine(taskId, info), quote(d.message)],
          MAX_TEXT_BYTES,
          `run toolflow logs ${escapeInline(taskId)} ${escapeInline(d.tool, 120)} for its logs`,
        ),
        summary: `tool failed: ${escapeInline(d.tool, 80)} in ${escapeInline(taskId)} (${escapeInline(d.reason)})`,
      };
    }
    case EventType.toolRetrying: {
      const d = event.data as EventData[typeof EventType.toolRetrying];
      const mem = `${Math.round(d.resources.memBytes / 2 ** 20)}Mi`;
      return {
        title: fitTitle(`toolflow: tool rerun: ${d.tool} in ${task}, attempt ${d.attempt}`),
        text: fitText(
          ['### toolflow: tool rerun', `**tool** ${escapeInline(d.tool, 120)} · attempt ${d.attempt} · after ${escapeInline(d.reason)} · memory ${mem}`, taskLine(taskId, info), quote(d.previous)],
          MAX_TEXT_BYTES,
          statusHint(taskId),
        ),
        summary: `tool rerun: ${escapeInline(d.tool, 80)} in ${escapeInline(taskId)}, attempt ${d.attempt} (${escapeInline(d.reason)})`,
      };
    }
    default:
      return {
        title: fitTitle(`toolflow: ${event.type.replace(/^io\.toolflow\./, '')} (${event.subject})`),
        text: fitText([`### toolflow: ${escapeInline(event.type)}`, escapeInline(event.subject)]),
        summary: `${escapeInline(event.type)} (${escapeInline(event.subject)})`,
      };
  }
}

/**
 * The digest that stands for the messages the rate limit held back: one message listing each
 * one's summary, in the order they came, within the size limit (the last ones dropped, with a note).
 * @param reason why they were held: `rate limit` (toolflow's own count) or DingTalk's answer.
 */
export function digestMessage(items: NotifyMessage[], reason: string): NotifyMessage {
  const n = items.length;
  const blocks = [`### toolflow: ${n} notification${n === 1 ? '' : 's'} in one digest`, `_${escapeInline(reason, 300)}_`, ...items.map((m, i) => `${i + 1}. ${m.summary}`)];
  return {
    title: fitTitle(`toolflow: ${n} notification${n === 1 ? '' : 's'} in one digest`),
    text: fitText(blocks, MAX_TEXT_BYTES),
    summary: `a digest of ${n} notifications`,
  };
}
