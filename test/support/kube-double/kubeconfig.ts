/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the kubeconfig file clients load
 * (`KubeConfig.loadFromFile`). Plain http needs `insecure-skip-tls-verify: true`:
 * `@kubernetes/client-node` 1.x refuses an `http:` server otherwise ("HTTP protocol is not
 * allowed when skipTLSVerify is not set or false", config.js `createAgent`).
 */
import { writeFileSync } from 'node:fs';

/** Writes a kubeconfig for `server` with a bearer-token user (file mode 0600). Context and cluster are named `kube-double`. */
export function writeKubeconfig(path: string, server: string, token: string, namespace: string): void {
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kube-double',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: kube-double',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: kube-double',
    '  context:',
    '    cluster: kube-double',
    '    user: kube-double',
    `    namespace: ${namespace}`,
    'current-context: kube-double',
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
}
