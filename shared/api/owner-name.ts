/**
 * The one rule for owner names (issue 11), used by `toolflow token create --owner` (`tokens.ts`)
 * and by `TOOLFLOW_OWNER`/`USER` (`runtime/config.ts`), so a name one accepts the other accepts.
 * An owner is a segment of object keys (`<owner>/<upload-id>/<file>`) and of coordination keys
 * (`uploads/<owner>/<id>`), and a column (`tasks.owner`, varchar(128)): letters, digits, `.`, `_`,
 * `-` and `@` (an e-mail address names a person: `ann@lab.org`), starting with a letter or digit
 * (so never `.` or `..`, never `_tus`, tus's own records beside the uploads, never an option `-x`),
 * at most 128 characters.
 */
import { ConfigError } from '../errors.js';
import { quotedName } from '../uploads/upload-names.js';

/** The owner rule (see the module's doc). */
export const OWNER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** What an owner name may hold, for messages. */
export const OWNER_RULE = 'letters, digits, ".", "_", "-" and "@", starting with a letter or digit, at most 128 characters';

/**
 * Why `owner` is not an owner name, or undefined when it is one.
 * @returns `"a\u001b[31mb" is not an owner name: use letters, …` (the name escaped with `quotedName`).
 */
export function ownerProblem(owner: string): string | undefined {
  if (OWNER_NAME.test(owner)) return undefined;
  return `${quotedName(owner.length > 130 ? `${owner.slice(0, 127)}...` : owner)} is not an owner name: use ${OWNER_RULE}`;
}

/**
 * Checks an owner name.
 * @param from where it came from, for the message (`TOOLFLOW_OWNER`, `--owner`); none: the name alone.
 * @returns `owner`. @throws ConfigError saying what an owner name may hold.
 */
export function checkOwnerName(owner: string, from?: string): string {
  const why = ownerProblem(owner);
  if (why) throw new ConfigError(from ? `${from}: ${why}` : why);
  return owner;
}
