import { XMLParser, XMLValidator } from 'fast-xml-parser';

export function parseXml(text: string): any {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
  }
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text);
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
