/**
 * YAML that YAML 1.1 readers (PyYAML, and so HEPData) read as intended. Strings that
 * YAML 1.1 would take for something else (`on`, `No`, `yes`, `1e5`, `0x10`, `1:30`, dates…)
 * are quoted; numbers are written with a decimal point and a signed exponent, since
 * YAML 1.1 reads JavaScript's `2e-7` as a string and `2.0e-7` as a float.
 */
import { stringify } from 'yaml';

const YAML11_NUMBER = {
  identify: (v: unknown) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^(?!)$/, // never chosen when reading
  resolve: (text: string) => Number(text),
  stringify: ({ value }: { value: unknown }) => {
    const x = value as number;
    if (!Number.isFinite(x)) return Number.isNaN(x) ? '.nan' : x < 0 ? '-.inf' : '.inf';
    const text = String(x);
    const [mantissa, exponent] = text.split('e');
    return exponent !== undefined && !mantissa.includes('.') ? `${mantissa}.0e${exponent}` : text;
  },
};

/** YAML text of `value` for YAML 1.1 readers. */
export function toYaml11(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, customTags: (tags) => [YAML11_NUMBER, ...tags] });
}
