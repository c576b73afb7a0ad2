/**
 * A service URL with its password replaced by `***`, for messages and logs (secrets never reach
 * logs): `mysql://root:pw@db:3306/x` → `mysql://root:***@db:3306/x`. The user information ends at
 * the last `@` (as WHATWG URL parsing reads it), so a password holding `@` is masked whole; a string
 * that does not parse is masked the same way. Several comma-separated URLs (etcd endpoints) are
 * masked each.
 */
export function maskUrl(url: string): string {
  // Split only where another URL starts, so a comma inside a password does not end the URL.
  return url.split(/,(?=\s*[a-z][a-z0-9+.-]*:\/\/)/i).map(maskOne).join(',');
}

function maskOne(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) {
    // Not quite a URL (`mysql:/u:pw@h`, `amqps//u:pw@h`): whatever stands between a `:` and the last `@` goes.
    const at = url.lastIndexOf('@');
    const colon = url.lastIndexOf(':', at);
    return at > 0 && colon >= 0 && colon < at ? `${url.slice(0, colon)}:***${url.slice(at)}` : url;
  }
  const rest = url.slice(scheme + 3);
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return url;
  return `${url.slice(0, scheme + 3)}${userinfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}
