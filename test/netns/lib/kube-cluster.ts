/**
 * A real Kubernetes control plane for the policy tests: Debian's etcd and a kube-apiserver built
 * by test/netns/peers/build-kube-apiserver.sh (cached; the tests skip when it is absent), both
 * inside one of the lab's namespaces, so nothing listens outside the lab.
 *
 *   namespace `ns`: etcd on its own 127.0.0.1:2379, kube-apiserver on https://<address>:6443
 *
 * Everything it needs is generated into the lab's work directory: a CA, the server certificate
 * (SAN = the address), a client certificate, the service-account signing key and a static token
 * file. Users: `admin` (system:masters, for kubectl) and `loom-node`, which gets only the RBAC
 * the README documents for loomd (get/list/watch on namespaces, pods, networkpolicies), by token
 * or by client certificate. No kubelet, scheduler or controller manager: pods are created with
 * spec.nodeName and their status.podIPs patched in as a kubelet would.
 */
import { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { NetnsLab, run, waitFor } from './netns-lab'

export const KUBE_APISERVER = process.env.LOOM_KUBE_APISERVER ?? '/var/cache/loom-test-peers/kube-apiserver-v1.32.4'

/** Why the real-API-server tests cannot run here, or undefined. */
export function kubeSkipReason (): string | false {
  if (!existsSync(KUBE_APISERVER)) return `no kube-apiserver at ${KUBE_APISERVER}: setup.sh builds it unless LOOM_BUILD_TEST_PEERS=0 (test/netns/peers/build-kube-apiserver.sh: Go at /usr/local/go, about 9 CPU-minutes cold, then cached)`
  for (const tool of ['/usr/bin/etcd', '/usr/bin/kubectl', '/usr/bin/openssl']) {
    if (!existsSync(tool)) return `${tool} is missing (setup.sh installs it)`
  }
  return false
}

const ADMIN_TOKEN = 'loom-test-admin-token'
const NODE_TOKEN = 'loom-test-node-token'
const ETCD = 'http://127.0.0.1:2379'

export class KubeCluster {
  readonly dir: string
  readonly server: string
  etcd?: ChildProcess
  apiserver?: ChildProcess
  private starts = 0

  constructor (readonly lab: NetnsLab, readonly ns: string, readonly address: string) {
    this.dir = lab.file('kube')
    mkdirSync(this.dir, { recursive: true })
    this.server = `https://${address}:6443`
  }

  /** Generates the credentials, starts etcd and the API server, waits until ready, sets up RBAC. */
  async start (): Promise<void> {
    await this.credentials()
    this.etcd = this.lab.spawn(this.ns, ['etcd', '--name', 'loomtest', '--data-dir', `${this.dir}/etcd`,
      '--listen-client-urls', ETCD, '--advertise-client-urls', ETCD,
      '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
      '--initial-cluster', 'loomtest=http://127.0.0.1:2380', '--log-level', 'warn'], 'etcd.log')
    await waitFor('etcd to answer',
      async () => (await this.lab.exec(this.ns, ['curl', '-sf', `${ETCD}/health`])).code === 0, 20_000, 200)
    await this.startApiserver()
    await this.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'loom-policy-reader' },
          rules: [
            { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] },
            { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'loom-policy-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'loom-policy-reader' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'loom-node' }],
        },
      ],
    }))
  }

  private async credentials (): Promise<void> {
    const d = this.dir
    const ssl = async (args: string[]): Promise<void> => {
      const r = await run('openssl', args)
      if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
    }
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    await ssl(['req', '-x509', ...ec, '-keyout', `${d}/ca.key`, '-out', `${d}/ca.crt`, '-days', '2', '-subj',
      '/CN=loom-test-ca'])
    const signed = async (name: string, subject: string, ext: string): Promise<void> => {
      await ssl(['req', ...ec, '-keyout', `${d}/${name}.key`, '-out', `${d}/${name}.csr`, '-subj', subject])
      writeFileSync(`${d}/${name}.ext`, ext)
      await ssl(['x509', '-req', '-in', `${d}/${name}.csr`, '-CA', `${d}/ca.crt`, '-CAkey', `${d}/ca.key`,
        '-CAcreateserial',
        '-out', `${d}/${name}.crt`, '-days', '2', '-extfile', `${d}/${name}.ext`])
    }
    await signed('server', '/CN=kube-apiserver',
      `subjectAltName=IP:${this.address},IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n`)
    await signed('node-client', '/CN=loom-node', 'extendedKeyUsage=clientAuth\n')
    await ssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${d}/sa.key`])
    writeFileSync(`${d}/tokens.csv`, `${ADMIN_TOKEN},admin,1,"system:masters"\n${NODE_TOKEN},loom-node,2\n`)
    writeFileSync(`${d}/node-token`, `${NODE_TOKEN}\n`)
    this.writeKubeconfig('admin.kubeconfig', { token: ADMIN_TOKEN })
  }

  /**
   * A kubeconfig for loomd as user loom-node: `token` (inline), `tokenFile` or `cert` (client
   * certificate files), all three relative to the kubeconfig's directory where they are files.
   */
  nodeKubeconfig (how: 'token' | 'tokenFile' | 'cert'): string {
    const user = how === 'token'
      ? { token: NODE_TOKEN }
      : how === 'tokenFile'
        ? { tokenFile: 'node-token' }
        : { 'client-certificate': 'node-client.crt', 'client-key': 'node-client.key' }
    return this.writeKubeconfig(`node-${how}.kubeconfig`, user)
  }

  private writeKubeconfig (name: string, user: Record<string, unknown>): string {
    const path = `${this.dir}/${name}`
    writeFileSync(path, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'lab',
      clusters: [{ name: 'lab', cluster: { server: this.server, 'certificate-authority': 'ca.crt' } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'u' } }],
    }))
    return path
  }

  async startApiserver (): Promise<void> {
    const d = this.dir
    this.starts++
    this.apiserver = this.lab.spawn(this.ns, [KUBE_APISERVER,
      `--etcd-servers=${ETCD}`,
      `--bind-address=${this.address}`, `--advertise-address=${this.address}`, '--secure-port=6443',
      `--tls-cert-file=${d}/server.crt`, `--tls-private-key-file=${d}/server.key`, `--client-ca-file=${d}/ca.crt`,
      `--token-auth-file=${d}/tokens.csv`, '--authorization-mode=RBAC', '--anonymous-auth=false',
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${d}/sa.key`,
      `--service-account-signing-key-file=${d}/sa.key`, '--service-cluster-ip-range=10.96.0.0/16',
      // No controller manager creates the default service accounts pods would need.
      '--disable-admission-plugins=ServiceAccount', `--cert-dir=${d}/apiserver-certs`,
      '--profiling=false', '--enable-priority-and-fairness=false', '--v=1',
    ], `kube-apiserver-${this.starts}.log`)
    await waitFor('kube-apiserver to be ready',
      async () => (await this.kubectl(['get', '--raw', '/readyz'], undefined, false)).code === 0, 90_000, 500)
  }

  /** Stops the API server (TERM, by PID) and starts it again; resolves when it is ready. */
  async restartApiserver (): Promise<void> {
    if (this.apiserver !== undefined) await this.lab.stop(this.apiserver, 'SIGTERM', 10_000)
    await this.startApiserver()
  }

  /** etcd's current revision (through its JSON gateway). */
  async etcdRevision (): Promise<number> {
    const out = await this.lab.execOk(this.ns,
      ['curl', '-sf', '-X', 'POST', `${ETCD}/v3/kv/range`, '-d',
        JSON.stringify({ key: Buffer.from('/').toString('base64') })])
    return Number((JSON.parse(out) as { header: { revision: string } }).header.revision)
  }

  /** Compacts etcd's history up to its current revision: watches from older versions get 410 Gone. */
  async compactEtcd (): Promise<number> {
    const rev = await this.etcdRevision()
    await this.lab.execOk(this.ns,
      ['curl', '-sf', '-X', 'POST', `${ETCD}/v3/kv/compaction`, '-d',
        JSON.stringify({ revision: String(rev), physical: true })])
    return rev
  }

  /** Runs kubectl as admin inside the namespace; rejects on failure unless `must` is false. */
  async kubectl (args: string[], input?: string, must = true): Promise<{
    code: number; stdout: string; stderr: string
  }> {
    const r = await this.lab.exec(this.ns,
      ['kubectl', `--kubeconfig=${this.dir}/admin.kubeconfig`, '--request-timeout=10s', ...args],
      { timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) })
    if (must && r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
    return r
  }

  /** kubectl apply of a list of objects. */
  async apply (items: unknown[]): Promise<void> {
    await this.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }))
  }
}
