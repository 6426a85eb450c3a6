/**
 * YAML text that a YAML 1.1 reader (PyYAML, which HEPData uses) reads back as written.
 *
 * YAML 1.1 resolves more plain scalars than YAML 1.2 does: `on`, `off`, `yes`, `no` (any
 * case) are booleans, `1_000`, `0x1F`, `0b101`, `1:30` (sexagesimal) are integers, `.inf`
 * and `.nan` floats, `2001-01-01` a date, `~` null; and `2e-7` (no dot in the mantissa) is
 * a string, where YAML 1.2 reads a float. So:
 *
 *  - a string is written plain only when it is plain text that no YAML 1.1 reader could
 *    take for anything else (it starts with a letter and holds only letters, digits,
 *    `_ . , ( ) / + -` and single inner spaces, and is not one of the YAML 1.1 booleans
 *    or null words); every other string is double-quoted, with every character that a
 *    YAML 1.1 reader would refuse or fold (controls, line and paragraph separators,
 *    U+FEFF, U+FFFE, U+FFFF) escaped, and a lone surrogate (no character) written as U+FFFD;
 *  - a number is written so that YAML 1.1 reads a number: `2.0e-7`, never `2e-7`.
 */
import { stringify } from 'yaml';

/** The words a YAML 1.1 reader takes as booleans or null, whatever their case. */
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;

/** Plain text: a letter, then letters, digits, `_ . , ( ) / + -` and single spaces, not ending in a space. */
const PLAIN_TEXT = /^[A-Za-z](?:[A-Za-z0-9_.,()/+-]| (?! |$))*$/;

/** Whether `text` can stand plain (unquoted) in YAML 1.1 and 1.2 and reads back as this string. */
export function isPlainYamlText(text: string): boolean {
  return PLAIN_TEXT.test(text) && !YAML11_WORDS.test(text);
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** `text` double-quoted: `"` and `\` escaped, every character a YAML 1.1 reader would refuse or fold escaped, a lone surrogate as U+FFFD. */
export function doubleQuotedYaml(text: string): string {
  let out = '"';
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    const code = text.charCodeAt(k);
    if (ESCAPES[c] !== undefined) out += ESCAPES[c];
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code <= 0xdbff && k + 1 < text.length && /[\udc00-\udfff]/.test(text[k + 1])) {
      out += c + text[k + 1]; // a surrogate pair: one character outside the BMP, written as UTF-8
      k++;
    } else if (code >= 0xd800 && code <= 0xdfff)
      out += '\ufffd'; // a lone surrogate is no character: U+FFFD, as a UTF-8 encoder writes it
    else if (code === 0x2028 || code === 0x2029 || code === 0xfeff || code >= 0xfffe)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/** How a string scalar is written: plain when {@link isPlainYamlText}, else double-quoted. */
const YAML11_STRING = {
  identify: (v: unknown) => typeof v === 'string',
  default: true,
  tag: 'tag:yaml.org,2002:str',
  test: /^(?!)$/, // never chosen when reading
  resolve: (text: string) => text,
  stringify: ({ value }: { value: unknown }) => {
    const text = value as string;
    return isPlainYamlText(text) ? text : doubleQuotedYaml(text);
  },
};

/** A number as YAML 1.1 reads it: JavaScript writes 2e-7, a string to YAML 1.1; 2.0e-7 is a float. */
export function yaml11Number(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '.nan' : x < 0 ? '-.inf' : '.inf';
  const text = String(x);
  const [mantissa, exponent] = text.split('e');
  return exponent !== undefined && !mantissa.includes('.') ? `${mantissa}.0e${exponent}` : text;
}

const YAML11_NUMBER = {
  identify: (v: unknown) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^(?!)$/, // never chosen when reading
  resolve: (text: string) => Number(text),
  stringify: ({ value }: { value: unknown }) => yaml11Number(value as number),
};

/** YAML text of `value` that YAML 1.1 and 1.2 readers read back as `value`; no line is folded. */
export function toYaml11(value: unknown): string {
  return stringify(value, { customTags: (tags) => [YAML11_STRING, YAML11_NUMBER, ...tags], lineWidth: 0 });
}
