/**
 * A field path as kube-apiserver prints it in validation errors: `spec.addons[0].name`, with keys that are not
 * identifiers quoted (`metadata.labels["app.kubernetes.io/name"]`).
 */
export function formatPath(segments: string[]): string {
  let out = '';
  for (const seg of segments) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
