/**
 * The NetworkPolicy lab: three real loomd nodes (lib/overlay-lab.ts) with `policy.source:
 * files`, the upstream e2e cluster on them (namespaces x/y/z, pods a/b/c, test/lib/policy-world.ts)
 * made by the real loom-cni plugin (CNI ADD with K8S_POD_NAMESPACE/K8S_POD_NAME in CNI_ARGS, as
 * a runtime runs it: the agent matches the attachment to its Pod by those), one
 * fixtures/policy-pod.js in each pod (servers on TCP/UDP 80 and 81, and the prober), and
 * helpers to set policies on every node and to measure the 9x9 reachability matrix.
 *
 * Pod addresses of other nodes: static mode (the default) writes them into the Pod manifests'
 * status.podIPs after the pods got them (the files source's only way without gossip); with
 * `gossip: true` the nodes form a gossip cluster and the manifests carry no address at all, so
 * every remote pod's address comes from its node's published attachments (endpoint-directory.ts).
 */
import { ChildProcess } from 'node:child_process'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { PolicyStatus } from '../../../policy'
import { parseNetworkPolicy } from '../../../policy/manifest'
import type { NetworkPolicy } from '../../../policy/model'
import { oracleAllows } from '../../lib/policy-oracle'
import type { Probe } from '../../lib/policy-cases'
import {
  namespaceManifest, NAMESPACES, nodeOf, POD_NAMES, podManifest, SERVED_PORTS, WorldPod
} from '../../lib/policy-world'
import { KubeCluster } from './kube-cluster'
import { NetnsLab, waitFor } from './netns-lab'
import { apiRequest, LabNode, LabPod, OverlayLab, REPO_ROOT } from './overlay-lab'
import { execPlugin, type PluginRun } from '../fixtures/cni-exec'

const POD_FIXTURE = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'policy-pod.js')

/** The API server's address on the lab's switch (br0 in the switch namespace). */
export const KUBE_ADDRESS = '198.18.0.250'

export interface PolicyLabPod extends WorldPod {
  lab: LabPod
  hostVeth: string
  proc: ChildProcess
  labels: Record<string, string>
}

export class PolicyLab {
  readonly overlay: OverlayLab
  readonly pods: PolicyLabPod[] = []
  namespaceLabels = new Map<string, Record<string, string>>(NAMESPACES.map((n) => [n, { ns: n }]))
  private pending = new Map<number, (ok: boolean[]) => void>()
  private nextId = 1
  /** The NetworkPolicies in force now (what `expected` evaluates). */
  policies: Array<Record<string, unknown>> = []
  mtu = 1400
  /** The real control plane, in `kubernetes` mode (in the switch namespace, on br0). */
  readonly kube?: KubeCluster
  /** Files mode over gossip: manifests without addresses. */
  readonly gossip: boolean

  /**
   * `kube`: policy.source kubernetes against a real kube-apiserver, each node's credential kind
   * given by `credential(node)`; otherwise policy.source files.
   */
  constructor (readonly lab: NetnsLab, encapsulation: 'udp' | 'vxlan',
    opts: { kube?: { credential: (node: LabNode) => 'token' | 'tokenFile' | 'cert' }; gossip?: boolean } = {}) {
    const kubeOpts = opts.kube
    const kube = kubeOpts === undefined ? undefined : new KubeCluster(lab, lab.ns('sw'), KUBE_ADDRESS)
    this.kube = kube
    this.gossip = opts.gossip === true
    this.overlay = new OverlayLab(lab, {
      nodes: 3,
      podsPerNode: 0,
      encapsulation,
      ...(this.gossip ? { gossip: {} } : {}),
      extraConfig: (node) => kube === undefined || kubeOpts === undefined
        ? { policy: { source: 'files', dir: this.dirOf(node) } }
        : { policy: { source: 'kubernetes', kubeconfig: kube.nodeKubeconfig(kubeOpts.credential(node)) } },
    })
  }

  dirOf (node: LabNode): string {
    return this.lab.file(`policy-${node.name}`)
  }

  /** Builds the nodes, starts loomd, makes the nine pods through CNI ADD and starts their servers. */
  async build (): Promise<void> {
    const o = this.overlay
    await o.build()
    const kube = this.kube
    if (kube !== undefined) {
      await this.lab.must('ip', ['-n', o.switchNs, 'addr', 'add', `${KUBE_ADDRESS}/24`, 'dev', 'br0'])
      await kube.start()
      await kube.apply(NAMESPACES.map((n) => namespaceManifest(n, this.namespaceLabels.get(n))))
      // As in a cluster: the Pod objects exist (scheduled) before the kubelet runs CNI ADD.
      await kube.apply(NAMESPACES.flatMap((ns,
        i) => POD_NAMES.map((name,
        j) => podManifest({ namespace: ns, name, labels: { pod: name }, node: nodeOf(i, j) }))))
    } else {
      for (const node of o.nodes) {
        mkdirSync(this.dirOf(node), { recursive: true })
        this.writeAll('namespaces.json',
          { kind: 'List', items: NAMESPACES.map((n) => namespaceManifest(n, this.namespaceLabels.get(n))) }, [node])
      }
    }
    await o.startAll()
    const status = JSON.parse((await o.loom(o.nodes[0], ['status', '--json'])).stdout) as { mtu: number }
    this.mtu = status.mtu
    let k = 0
    const ready: Array<Promise<void>> = []
    for (const [i, ns] of NAMESPACES.entries()) {
      for (const [j, name] of POD_NAMES.entries()) {
        const node = o.nodes[nodeOf(i, j) - 1]
        k++
        ready.push((await this.addWorldPod(node, k, ns, name)).listening)
      }
    }
    await Promise.all(ready)
    if (kube !== undefined) {
      // What the kubelet reports once the sandbox is up.
      await Promise.all(this.pods.map((p) => kube.kubectl(['patch', 'pod', '-n', p.namespace, p.name,
        '--subresource=status', '--type=merge',
        '-p', JSON.stringify({ status: { podIP: p.ip, podIPs: [{ ip: p.ip }] } })])))
    } else {
      this.writePods()
    }
    await this.waitApplied(Date.now() - 60_000)
    if (this.gossip) await this.waitRemotePods()
  }

  /** Gossip: waits until every node holds every other node's pods as they are now. */
  async waitRemotePods (timeoutMs = 15_000): Promise<void> {
    for (const node of this.overlay.nodes) {
      if (node.daemon === undefined || node.daemon.exitCode !== null) continue
      const want = this.pods.filter((p) => p.node !== node.index).length
      await waitFor(`${node.name} to hold the ${want} remote pods' addresses`, async () => {
        const s = await this.policyStatus(node)
        const got = (s.remotePods?.nodes ?? []).reduce((n, r) => n + r.endpoints, 0)
        return got === want && s.applies.idle
      }, timeoutMs, 50)
    }
  }

  /**
   * Makes pod namespace/name (labels pod=name) on `node` through loom-cni and starts its servers;
   * `listening` resolves once they listen. `k` numbers the pod namespace.
   */
  async addWorldPod (node: LabNode, k: number, ns: string, name: string):
  Promise<{ pod: PolicyLabPod; listening: Promise<void> }> {
    const labPod = await this.cniAdd(node, k, ns, name)
    node.pods.push(labPod)
    const proc = this.lab.spawn(labPod.ns, [process.execPath, POD_FIXTURE], `pod-${ns}-${name}-${k}.log`, process.env,
      'pipe')
    const pod: PolicyLabPod = {
      namespace: ns,
      name,
      labels: { pod: name },
      ip: labPod.address,
      ports: SERVED_PORTS,
      node: node.index,
      lab: labPod,
      hostVeth: labPod.hostVeth,
      proc
    }
    this.pods.push(pod)
    return { pod, listening: this.listen(pod) }
  }

  /** CNI ADD of pod namespace/name on `node` by the real loom-cni, as a runtime runs it. */
  async cniAdd (node: LabNode, k: number, namespace: string, name: string): Promise<LabPod> {
    const podNs = await this.lab.addNamespace(`n${node.index}p${k}`)
    const add = async (): Promise<PluginRun> => execPlugin(node.ns, 'loom-cni', {
      command: 'ADD',
      containerID: `${namespace}-${name}-${k}`,
      netns: `/var/run/netns/${podNs}`,
      ifname: 'eth0',
      args: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${name}`,
    }, this.cniConf(node))
    let r = await add()
    // Code 11 ("try again later"): in gossip mode a node is not ready until it has joined IPAM,
    // which a loaded machine can take longer than the 4 s an ADD waits; a runtime tries again.
    for (const until = Date.now() + 30_000; r.code !== 0 && r.json?.code === 11 &&
      Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      r = await add()
    }
    if (r.code !== 0) throw new Error(`loom-cni ADD ${namespace}/${name} on ${node.name}: ${r.stdout}${r.stderr}`)
    const result = r.json as { interfaces: Array<{ name: string }>; ips: Array<{ address: string }> }
    return { ns: podNs, address: result.ips[0].address.split('/')[0], hostVeth: result.interfaces[0].name }
  }

  /** CNI DEL by the real loom-cni of a pod made by `cniAdd` (its process is stopped first). */
  async cniDel (pod: PolicyLabPod): Promise<void> {
    await this.lab.stop(pod.proc, 'SIGKILL', 1000)
    const node = this.overlay.nodes[pod.node - 1]
    const k = Number(/p(\d+)$/.exec(pod.lab.ns)?.[1])
    const r = await execPlugin(node.ns, 'loom-cni', {
      command: 'DEL',
      containerID: `${pod.namespace}-${pod.name}-${k}`,
      netns: `/var/run/netns/${pod.lab.ns}`,
      ifname: 'eth0',
      args: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name}`,
    }, this.cniConf(node))
    if (r.code !== 0) throw new Error(`loom-cni DEL ${pod.namespace}/${pod.name}: ${r.stdout}${r.stderr}`)
    this.pods.splice(this.pods.indexOf(pod), 1)
  }

  private cniConf (node: LabNode): Record<string, unknown> {
    return { cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', apiSocket: node.apiSocket }
  }

  private listen (p: PolicyLabPod): Promise<void> {
    return new Promise((resolve, reject) => {
      const rl = createInterface({ input: p.proc.stdout! })
      const timer = setTimeout(() => reject(new Error(`pod ${p.namespace}/${p.name} did not start its servers`)),
        15_000)
      rl.on('line', (line) => {
        if (line === 'ready') { clearTimeout(timer); resolve(); return }
        const msg = JSON.parse(line) as { id: number; ok: boolean[] }
        this.pending.get(msg.id)?.(msg.ok)
        this.pending.delete(msg.id)
      })
      p.proc.once('exit',
        (code) => { clearTimeout(timer); reject(new Error(`pod ${p.namespace}/${p.name} exited ${code}`)) })
    })
  }

  pod (name: string): PolicyLabPod {
    const [ns, n] = name.split('/')
    const p = this.pods.find((q) => q.namespace === ns && q.name === n)
    if (p === undefined) throw new Error(`no pod ${name}`)
    return p
  }

  ip = (name: string): string => this.pod(name).ip

  /** Writes a file atomically into every node's manifest directory (or the given nodes'). */
  writeAll (file: string, doc: unknown, nodes = this.overlay.nodes): void {
    for (const node of nodes) {
      const path = join(this.dirOf(node), file)
      writeFileSync(`${path}.tmp`, JSON.stringify(doc))
      renameSync(`${path}.tmp`, path)
    }
  }

  writePods (): void {
    this.writeAll('pods.json',
      {
        kind: 'List',
        items: this.pods.map((p) => podManifest({
          namespace: p.namespace, name: p.name, labels: p.labels, ...(this.gossip ? {} : { ip: p.ip }), node: p.node
        }))
      })
  }

  writeNamespaces (): void {
    this.writeAll('namespaces.json',
      { kind: 'List', items: NAMESPACES.map((n) => namespaceManifest(n, this.namespaceLabels.get(n))) })
  }

  /** Replaces every NetworkPolicy on every node; returns the write time. */
  setPolicies (policies: Array<Record<string, unknown>>): number {
    const t0 = Date.now()
    this.policies = policies
    this.writeAll('policies.json', { kind: 'List', items: policies })
    return t0
  }

  async policyStatus (node: LabNode): Promise<PolicyStatus> {
    const r = await apiRequest(node.apiSocket, 'GET', '/v1/policy')
    if (r.status !== 200) throw new Error(`GET /v1/policy on ${node.name}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body as PolicyStatus
  }

  /** Waits until every node's source saw a change after `since` and its applier is idle. */
  async waitApplied (since: number, timeoutMs = 10_000): Promise<void> {
    for (const node of this.overlay.nodes) {
      await waitFor(`${node.name} to apply the manifests`, async () => {
        const s = await this.policyStatus(node)
        return s.source.state === 'synced' && s.source.lastChangeAt >= since && s.applies.idle &&
        s.applies.lastError === ''
      }, timeoutMs, 50)
    }
  }

  /** Probes from every pod to every other pod at once; ok[from][to]. */
  async matrix (probe: Probe, timeoutMs = 1000): Promise<Map<PolicyLabPod, Map<PolicyLabPod, boolean>>> {
    const out = new Map<PolicyLabPod, Map<PolicyLabPod, boolean>>()
    await Promise.all(this.pods.map(async (src) => {
      const targets = this.pods.filter((d) => d !== src)
      const ok = await this.probeFrom(src, targets.map((d) => ({ ip: d.ip, proto: probe.proto, port: probe.port })),
        timeoutMs)
      out.set(src, new Map(targets.map((d, i) => [d, ok[i]])))
    }))
    return out
  }

  probeFrom (src: PolicyLabPod, probes: Array<{ ip: string; proto: 'TCP' | 'UDP'; port: number }>,
    timeoutMs = 1000): Promise<boolean[]> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`prober in ${src.namespace}/${src.name} did not answer`)),
        timeoutMs + 15_000)
      this.pending.set(id, (ok) => { clearTimeout(timer); resolve(ok) })
      src.proc.stdin!.write(`${JSON.stringify({ id, probes, timeoutMs })}\n`)
    })
  }

  /** What the spec says for the current manifests. */
  expected (src: PolicyLabPod, dst: PolicyLabPod, probe: Probe): boolean {
    const policies: NetworkPolicy[] = this.policies.map((p) => parseNetworkPolicy(p))
    const namespaces = new Map([...this.namespaceLabels].map(([n, l]) => [n,
      { ...l, 'kubernetes.io/metadata.name': n }]))
    return oracleAllows({ namespaces, pods: this.pods, policies }, src, dst, probe.proto, probe.port)
  }

  /**
   * Measures the matrix and compares it with the oracle; cells that disagree are probed once
   * more (a slow machine may lose a race) and the remaining differences returned, drawn as the
   * upstream suite draws them.
   */
  async check (probe: Probe): Promise<{ wrong: string[]; drawing: string }> {
    const got = await this.matrix(probe)
    const wrong: string[] = []
    for (const [src, row] of got) {
      for (const [dst, ok] of row) {
        if (ok === this.expected(src, dst, probe)) continue
        const again = (await this.probeFrom(src, [{ ip: dst.ip, proto: probe.proto, port: probe.port }], 2000))[0]
        row.set(dst, again)
        if (again !== this.expected(src, dst,
          probe)) wrong.push(`${src.namespace}/${src.name} -> ${dst.namespace}/${dst.name} ${probe.proto}/${probe.port}: got ${again ? 'allowed' : 'blocked'}`)
      }
    }
    const names = this.pods.map((p) => `${p.namespace}/${p.name}`)
    const lines = [`${probe.proto}/${probe.port}  ${names.join(' ')}`]
    for (const src of this.pods) {
      const row = got.get(src)!
      lines.push(`${src.namespace}/${src.name}@n${src.node}    ${this.pods.map((d) => d === src ? ' . ' : `${row.get(d) ? ' ✓' : ' ✗'}${row.get(d) === this.expected(src, d, probe) ? ' ' : '!'}`).join(' ')}`)
    }
    return { wrong, drawing: lines.join('\n') }
  }
}
