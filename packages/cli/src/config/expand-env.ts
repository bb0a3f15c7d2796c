/** An `os.ExpandEnv` result: the text and the variables it named that are not set. */
export interface Expanded {
  value: string;
  unset: string[];
}

/**
 * Go's `os.ExpandEnv`, which Conduit applies to every string in a pipeline file: `${VAR}` and
 * `$VAR` (letters, digits, `_`), the shell's one-character names (`$1`, `${*}`…), an unset
 * variable becomes empty, `${}` and an unclosed `${` are dropped, a `$` followed by anything else
 * is kept. Ported rather than approximated so a password or script containing `$` reads the same.
 */
export function expandEnv(
  s: string,
  env: { readonly [name: string]: string | undefined },
): Expanded {
  const unset: string[] = [];
  if (!s.includes('$')) return { value: s, unset };
  let out = '';
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '$' || j + 1 >= s.length) continue;
    out += s.slice(i, j);
    const [name, width] = shellName(s.slice(j + 1));
    if (name === '' && width > 0) {
      // Invalid syntax (`${}`, unclosed `${`): Go drops it.
    } else if (name === '') {
      out += '$';
    } else {
      const v = env[name];
      if (v === undefined) unset.push(name);
      out += v ?? '';
    }
    j += width;
    i = j + 1;
  }
  return { value: out + s.slice(i), unset };
}

function isShellSpecial(c: string | undefined): boolean {
  return c !== undefined && '*#$@!?-0123456789'.includes(c);
}

function isAlphaNum(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9_]$/.test(c);
}

/** Go's `getShellName`: the variable name after a `$` and how many characters it spans. */
function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && isShellSpecial(s[1]) && s[2] === '}') return [s.slice(1, 2), 3];
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? ['', 2] : [s.slice(1, i), i + 1];
    }
    return ['', 1];
  }
  if (isShellSpecial(s[0])) return [s.slice(0, 1), 1];
  let i = 0;
  while (i < s.length && isAlphaNum(s[i])) i++;
  return [s.slice(0, i), i];
}
