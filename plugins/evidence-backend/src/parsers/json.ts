export function parseJsonObject(text: string): Record<string, any> {
  const v = JSON.parse(text);
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error('expected a JSON object');
  }
  return v;
}
