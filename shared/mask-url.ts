/**
 * A service URL with its password replaced by `***`, for messages and logs (secrets never reach
 * logs): `mysql://root:pw@db:3306/x` → `mysql://root:***@db:3306/x`. Several comma-separated URLs
 * (etcd endpoints) are masked each.
 */
export function maskUrl(url: string): string {
  return url
    .split(',')
    .map((u) => u.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@'))
    .join(',');
}
