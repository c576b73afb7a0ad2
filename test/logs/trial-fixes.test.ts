/**
 * What a new user's trial of issue 12 found in log and message text, each on its exact input:
 * the `access_token=` mask took the `)` that closes a masked robot URL in a target's name
 * (`robot 1 (http://…/robot/send?access_token=***` with no closing parenthesis), and a digest's
 * heading read "… in one" (its title said "in one digest").
 */
import { describe, expect, it } from 'vitest';
import { maskSecretsInText } from '../../shared/runtime/log.js';
import { digestMessage } from '../../shared/notify/message-format.js';

describe('log and message text', () => {
  it('masks a query credential up to its end, keeping the parenthesis that closes the URL', () => {
    expect(maskSecretsInText('robot 1 (http://127.0.0.1:18999/robot/send?access_token=T) refused')).toBe('robot 1 (http://127.0.0.1:18999/robot/send?access_token=***) refused');
    expect(maskSecretsInText('x?sign=abc%2B%2F%3D&timestamp=1')).toBe('x?sign=***&timestamp=1');
  });

  it('names a digest a digest in its heading too', () => {
    const m = digestMessage([{ title: 't', text: 'x', summary: 'one' }, { title: 't', text: 'y', summary: 'two' }], 'rate limit');
    expect(m.text.startsWith('### toolflow: 2 notifications in one digest')).toBe(true);
  });
});
