// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax under test
import { describe, expect, it } from 'vitest';
import { expandEnv } from './expand-env.js';

const env = { A: 'x', B_2: 'y', EMPTY: '' };

describe('expandEnv (Go os.ExpandEnv)', () => {
  it('expands ${VAR} and $VAR, empties unset ones and names them', () => {
    expect(expandEnv('${A}-$B_2-${EMPTY}-$NOPE-${ALSO_NOPE}', env)).toEqual({
      value: 'x-y---',
      unset: ['NOPE', 'ALSO_NOPE'],
    });
  });

  it('keeps a $ not followed by a name, drops bad ${ syntax, reads shell special names', () => {
    expect(expandEnv('cost: 5$ and $.x and $', env).value).toBe('cost: 5$ and $.x and $');
    expect(expandEnv('a${}b', env).value).toBe('ab');
    expect(expandEnv('a${b', env).value).toBe('ab');
    expect(expandEnv('$1x ${*}', env)).toEqual({ value: 'x ', unset: ['1', '*'] });
    // A name stops at the first character that is not a letter, digit or "_".
    expect(expandEnv('$A.b ${A:-d}', env)).toEqual({ value: 'x.b ', unset: ['A:-d'] });
  });

  it('leaves text without $ alone', () => {
    expect(expandEnv('plain', env)).toEqual({ value: 'plain', unset: [] });
  });
});
