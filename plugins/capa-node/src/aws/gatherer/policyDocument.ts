import type { PolicyDocument } from '@capa-portal/plugin-capa-common';

/**
 * IAM returns policy documents URL-encoded (RFC 3986: `%20` for a space, `%2B` for a plus); decode and
 * parse. A document that is already JSON is parsed as is; `+` is read as a space only as a last resort.
 */
export function decodePolicyDocument(
  encoded: string,
): PolicyDocument | undefined {
  const candidates: Array<() => string> = [
    () => encoded,
    () => decodeURIComponent(encoded),
    () => decodeURIComponent(encoded.replace(/\+/g, '%20')),
  ];
  if (!encoded.trimStart().startsWith('{')) candidates.shift();
  for (const candidate of candidates) {
    try {
      const doc = JSON.parse(candidate());
      if (
        doc &&
        typeof doc === 'object' &&
        !Array.isArray(doc) &&
        'Statement' in doc
      )
        return doc as PolicyDocument;
    } catch {
      // not this encoding: try the next
    }
  }
  return undefined;
}
