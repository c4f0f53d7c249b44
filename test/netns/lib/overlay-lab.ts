/**
 * Builds a small Loom cluster out of network namespaces, for the netns tests and the demo.
 *
 *   pod ns "n1p1"  pod ns "n1p2"                 pod ns "n2p1" ...
 *     eth0 10.244.1.11/32 ...                      eth0 10.244.2.11/32
 *       |  (veth, proxy ARP, /32 route)              |
 *   node ns "n1" ── loom0 (TUN) ── loomd            node ns "n2" ── loom0 ── loomd   ...
 *     eth0 198.18.0.1/24                              eth0 198.18.0.2/24
 *       |                                               |
 *       └──────────── switch ns "sw": bridge br0 ───────┘   (no route anywhere else)
 *
 * Node i owns pod CIDR 10.244.i.0/24; pod k on node i is 10.244.i.(10+k). Pods are wired by
 * hand here the way the CNI plugin will wire them: /32 address, a link-local gateway
 * 169.254.1.1 with a permanent neighbour entry, a default route through it, proxy ARP and a /32
 * host route on the node side.
 */
import { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { request } from 'node:http'
import { NetnsLab, run, waitFor } from './netns-lab'
import { hostVethName } from '../../../lib'

/** One HTTP/JSON call on an agent's API socket. */
export function apiRequest (socketPath: string, method: string, path: string, body?: unknown): Promise<{
  status: number; body: unknown
}> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** Repository root (dist/test/netns/lib -> ../../../..). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..')
export const LOOMD = join(REPO_ROOT, 'dist', 'agent', 'loomd.js')
export const LOOM_CLI = join(REPO_ROOT, 'dist', 'agent', 'cli.js')

export const CLUSTER_CIDR = '10.244.0.0/16'
export const GATEWAY = '169.254.1.1'

export interface LabNode {
  index: number
  name: string
  ns: string
  underlay: string
  podCIDR: string
  pods: LabPod[]
  configPath: string
  apiSocket: string
  daemon?: ChildProcess
}

export interface LabPod { ns: string; address: string; hostVeth: string }

export interface OverlayLabInit {
  nodes: number
  podsPerNode: number
  encapsulation: 'udp' | 'vxlan'
  /** Node indexes (1-based) that do NOT run loomd (e.g. a kernel-VXLAN interop node). */
  withoutLoomd?: number[]
  /** Extra static peers entries to add to every loomd config (e.g. the kernel VXLAN node). */
  extraPeers?: Array<Record<string, unknown>>
  logLevel?: string
  /** Have each loomd write its CNI conflist into <workDir>/cni-<node> (cni.confDir). */
  writeConflist?: boolean
  /** cni.gcGraceSeconds of every loomd (default: loomd's own, 60). */
  cniGcGraceSeconds?: number
  /** Gossip mode: no `peers`; every node lists node 1 as its seed (node 1 founds the cluster). */
  gossip?: { reclaimAfterSeconds?: number }
  /** More config keys per node (e.g. `policy`). */
  extraConfig?: (node: LabNode) => Record<string, unknown>
  /**
   * Encrypted `udp`: the cluster secret file every node reads (per-node overrides in
   * secretFiles); in gossip mode it defaults to the lab's own secret (`secretFile`).
   */
  encryption?: { secretFile?: string }
}

/** Writes a cluster secret file (one base64 32-byte key a line, mode 0600) as `wg genpsk` would. */
export function writeSecretFile (path: string, keys: Buffer[]): void {
  writeFileSync(path, keys.map((k) => `${k.toString('base64')}\n`).join(''), { mode: 0o600 })
  chmodSync(path, 0o600)
}

export class OverlayLab {
  readonly nodes: LabNode[] = []
  switchNs = ''
  /** Fixed VTEP MACs by node name (e.g. a kernel VXLAN device's), written into every config. */
  readonly vtepMACs = new Map<string, string>()
  /** Gossip mode: the cluster secret file every node's config names (authenticated gossip). */
  secretFile = ''
  /** Encryption: static peers' public keys, nodes' private key files, and per-node secret files, by node name. */
  readonly publicKeys = new Map<string, string>()
  readonly privateKeyFiles = new Map<string, string>()
  readonly secretFiles = new Map<string, string>()
  /** Data ports by node name when not the default (e.g. a WireGuard peer's listen port). */
  readonly ports = new Map<string, number>()

  constructor (readonly lab: NetnsLab, readonly init: OverlayLabInit) {}

  nodeName (i: number): string { return `node${i}` }

  /** Creates the switch, the nodes and their pods, and writes each node's loomd config. */
  async build (): Promise<void> {
    const lab = this.lab
    this.switchNs = await lab.addNamespace('sw')
    await lab.must('ip', ['-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge'])
    await lab.must('ip', ['-n', this.switchNs, 'link', 'set', 'br0', 'up'])
    for (let i = 1; i <= this.init.nodes; i++) {
      const ns = await lab.addNamespace(`n${i}`)
      const node: LabNode = {
        index: i,
        name: this.nodeName(i),
        ns,
        underlay: `198.18.0.${i}`,
        podCIDR: `10.244.${i}.0/24`,
        pods: [],
        configPath: lab.file(`node${i}.json`),
        apiSocket: lab.file(`node${i}.sock`),
      }
      await lab.addVeth(ns, 'eth0', `${node.underlay}/24`, this.switchNs, `n${i}`, '')
      await lab.must('ip', ['-n', this.switchNs, 'link', 'set', `n${i}`, 'master', 'br0'])
      await lab.execOk(ns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])
      for (let k = 1; k <= this.init.podsPerNode; k++) node.pods.push(await this.addPod(node, k))
      this.nodes.push(node)
    }
    if (this.init.gossip !== undefined) {
      this.secretFile = lab.file('cluster-secret')
      writeSecretFile(this.secretFile, [randomBytes(32)])
    }
    for (const node of this.nodes) this.writeConfig(node)
  }

  /** Wires pod k of a node as the CNI plugin would. */
  async addPod (node: LabNode, k: number, mtu?: number,
    given?: { address: string; hostVeth: string }): Promise<LabPod> {
    const lab = this.lab
    const podNs = await lab.addNamespace(`n${node.index}p${k}`)
    const address = given?.address ?? `10.244.${node.index}.${10 + k}`
    // Named as loom-cni names host veths, so loomd recognises the pod's /32 route as a Loom pod
    // route (agent/cluster-route.ts) when it starts after the pods were wired.
    const hostVeth = given?.hostVeth ?? hostVethName(`lab-${node.name}`, `pod${k}`)
    await lab.addVeth(node.ns, hostVeth, '', podNs, 'eth0', `${address}/32`, mtu ?? 1500)
    const hostMAC = (await lab.execOk(node.ns, ['cat', `/sys/class/net/${hostVeth}/address`])).trim()
    await lab.execOk(podNs, ['ip', 'route', 'add', GATEWAY, 'dev', 'eth0', 'scope', 'link'])
    await lab.execOk(podNs, ['ip', 'route', 'add', 'default', 'via', GATEWAY, 'dev', 'eth0'])
    await lab.execOk(podNs, ['ip', 'neigh', 'replace', GATEWAY, 'lladdr', hostMAC, 'dev', 'eth0', 'nud', 'permanent'])
    await lab.execOk(node.ns, ['sysctl', '-qw', `net.ipv4.conf.${hostVeth}.proxy_arp=1`])
    await lab.execOk(node.ns, ['ip', 'route', 'add', `${address}/32`, 'dev', hostVeth, 'scope', 'link'])
    return { ns: podNs, address, hostVeth }
  }

  /**
   * Gossip mode: asks the node's agent for a pod address (as the CNI plugin does) and wires a pod
   * namespace with it.
   */
  async addPodFromAgent (node: LabNode, k: number, mtu: number): Promise<LabPod> {
    const r = await apiRequest(node.apiSocket, 'POST', '/v1/cni/add',
      { containerID: `${node.name}-pod${k}`, ifname: 'eth0' })
    if (r.status !== 200) throw new Error(`agent on ${node.name} refused ADD: ${JSON.stringify(r.body)}`)
    const body = r.body as { address: string; hostVeth: string }
    const pod = await this.addPod(node, k, mtu, body)
    node.pods.push(pod)
    return pod
  }

  /** Sets the pods' MTU to the overlay MTU loomd chose (the CNI plugin will do this). */
  async setPodMTU (node: LabNode, mtu: number): Promise<void> {
    for (const pod of node.pods) {
      await this.lab.execOk(pod.ns, ['ip', 'link', 'set', 'eth0', 'mtu', String(mtu)])
      await this.lab.execOk(node.ns, ['ip', 'link', 'set', pod.hostVeth, 'mtu', String(mtu)])
    }
  }

  staticPeers (): Array<Record<string, unknown>> {
    return [
      ...this.nodes.map((n) => ({
        nodeName: n.name,
        address: n.underlay,
        podCIDR: n.podCIDR,
        ...(this.vtepMACs.has(n.name) ? { vtepMAC: this.vtepMACs.get(n.name) } : {}),
        ...(this.publicKeys.has(n.name) ? { publicKey: this.publicKeys.get(n.name) } : {}),
        ...(this.ports.has(n.name) ? { port: this.ports.get(n.name) } : {}),
      })),
      ...(this.init.extraPeers ?? []),
    ]
  }

  writeConfig (node: LabNode): void {
    const g = this.init.gossip
    const config = {
      nodeName: node.name,
      underlay: { address: node.underlay },
      clusterCIDR: CLUSTER_CIDR,
      encapsulation: this.init.encapsulation,
      ...(g === undefined
        ? { peers: this.staticPeers() }
        : { seeds: ['198.18.0.1'], ipam: { reclaimAfterSeconds: g.reclaimAfterSeconds ?? 600 } }),
      ...(this.init.encryption !== undefined || g !== undefined
        ? {
            encryption: {
              enabled: this.init.encryption !== undefined,
              secretFile: this.secretFiles.get(node.name) ?? this.init.encryption?.secretFile ?? this.secretFile,
              ...(this.privateKeyFiles.has(node.name) ? { privateKeyFile: this.privateKeyFiles.get(node.name) } : {}),
            },
          }
        : {}),
      stateDir: this.lab.file(`state-${node.name}`),
      apiSocket: node.apiSocket,
      metrics: { address: '127.0.0.1:9784' },
      logLevel: this.init.logLevel ?? 'info',
      cni: {
        ...(this.init.writeConflist === true ? { confDir: this.lab.file(`cni-${node.name}`) } : {}),
        ...(this.init.cniGcGraceSeconds !== undefined ? { gcGraceSeconds: this.init.cniGcGraceSeconds } : {}),
      },
      ...(this.init.extraConfig?.(node) ?? {}),
    }
    writeFileSync(node.configPath, JSON.stringify(config, null, 2))
  }

  /** Starts loomd on every node that should run it and waits until each answers `loom status`. */
  async startAll (): Promise<void> {
    for (const node of this.nodes) {
      if (this.init.withoutLoomd?.includes(node.index) === true) continue
      this.startDaemon(node)
    }
    for (const node of this.nodes) {
      if (node.daemon !== undefined) await this.waitReady(node)
    }
  }

  startDaemon (node: LabNode): ChildProcess {
    node.daemon = this.lab.spawn(node.ns, [process.execPath, LOOMD, '--config', node.configPath],
      `loomd-${node.name}.log`)
    return node.daemon
  }

  async waitReady (node: LabNode, timeoutMs = 15_000): Promise<void> {
    await waitFor(`loomd on ${node.name} to answer`, async () => {
      if (node.daemon !== undefined && node.daemon.exitCode !== null) {
        // The work directory goes with the lab's cleanup: the reason travels in the error.
        const log = this.lab.file(`loomd-${node.name}.log`)
        let tail = ''
        try { tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-5).join('\n  ') } catch { /* no log yet */ }
        throw new Error(`loomd on ${node.name} exited with ${node.daemon.exitCode}; see ${log}; its last lines:\n  ${tail}`)
      }
      const r = await this.loom(node, ['status', '--json'])
      return r.code === 0
    }, timeoutMs, 100)
  }

  /** Stops loomd on a node (SIGTERM, or `signal`). */
  async stopDaemon (node: LabNode, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (node.daemon !== undefined) await this.lab.stop(node.daemon, signal)
    node.daemon = undefined
  }

  /** Runs the `loom` CLI against a node's API socket. */
  loom (node: LabNode, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    return run(process.execPath, [LOOM_CLI, '--socket', node.apiSocket, ...args])
  }

  /** Pings `count` times from a pod; true when every reply came back. */
  async ping (from: LabPod, to: string, count = 3, size?: number, extra: string[] = []): Promise<{
    ok: boolean; output: string
  }> {
    const args = ['ping', '-n', '-q', '-c', String(count), '-i', '0.2', '-W', '2', ...extra]
    if (size !== undefined) args.push('-s', String(size))
    const r = await this.lab.exec(from.ns, [...args, to], { timeoutMs: 20_000 })
    return { ok: r.code === 0 && / 0% packet loss/.test(r.stdout), output: r.stdout + r.stderr }
  }
}
