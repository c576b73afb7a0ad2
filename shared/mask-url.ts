/**
 * A service URL with its password replaced by `***`, for messages and logs (secrets never reach
 * logs): `mysql://root:pw@db:3306/x` → `mysql://root:***@db:3306/x`. The user information ends at
 * the last `@` (as WHATWG URL parsing reads it), so a password holding `@` is masked whole; a string
 * that does not parse is masked the same way. Several comma-separated URLs (etcd endpoints) are
 * masked each.
 */
export function maskUrl(url: string): string {
  return url.split(',').map(maskOne).join(',');
}

function maskOne(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const rest = url.slice(scheme + 3);
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return url;
  return `${url.slice(0, scheme + 3)}${userinfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}
