import { XMLParser, XMLValidator } from 'fast-xml-parser';

export function parseXml(text: string): any {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
  }
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
  }).parse(text);
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
