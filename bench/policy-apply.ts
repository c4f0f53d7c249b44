/**
 * NetworkPolicy apply cost against cluster size (issue 12's benchmark): for 100 / 1 000 / 5 000
 * pods with 50 / 500 policies, how long one node takes to compile the policies, to apply the
 * whole table, and to apply the difference when one pod is added (on this node, and on another
 * node), and how many nft rules and set elements the kernel then holds. Root only: the table is
 * applied with `nft -f -` inside a network namespace this benchmark creates and removes
 * (`loom-policy-bench-<random>`); nothing touches the host's namespace.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/policy-apply.js [rounds]
 *
 * The synthetic cluster:
 * - 20 namespaces, `team=t<i % 5>`; pods spread round-robin over them, labels `app=app<i % 10>`
 *   and `tier` web/api/db; every pod names three container ports (http 8080/TCP,
 *   metrics 9090/TCP, dns 53/UDP); addresses from 10.244.0.0/16 in /26 blocks of 50 pods
 *   ("nodes"), so the measured node always holds 50 local pods (a common density) and only the
 *   peer sets grow with the cluster.
 * - policies in five shapes, round-robin, each selecting `app=app<k>` in namespace `ns<k % 20>`:
 *   ingress from a podSelector on a numeric port; ingress from namespaceSelector AND
 *   podSelector on the named port `http`; egress to an ipBlock with an except, UDP 53 and a TCP
 *   endPort range; egress to every namespace's `tier=db` pods on the named port `metrics` (an
 *   (ip . proto . port) set); a default-deny ingress for the namespace (`podSelector: {}`).
 *
 * Each figure is the median of `rounds` runs (default 3); the full apply starts from an empty
 * namespace each round. "+1 pod" is what loomd does on such a change: update the incremental
 * compiler (only what depends on the pod; `LOOM_BENCH_FULL=1` compiles the whole cluster view
 * again instead, as loomd did before policy/incremental.ts), render the difference, apply it;
 * the first round checks the result against a full compile; in brackets the part before nft
 * (update and render). Compile is also given in CPU ms of this process, which a loaded machine
 * inflates less than wall time. "drift check" is loomd's periodic check (PolicyApplier.checkDrift
 * with its default budgets) on the final table: one check's time, and how many checks read every
 * set once; "nft -j list" is what one check cost before (the whole table with its elements). Times include spawning
 * `ip netns exec … nft`, whose bare cost is printed as a baseline. The machine this runs on is
 * shared: the figures come with `uptime`; read them as a report, not a claim.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { compile } from '../policy/compiler'
import type { CompileInput, NftJson } from '../policy/types'
import type { DesiredState } from '../policy/desired-state'
import { IncrementalCompiler } from '../policy/incremental'
import { parseNamespace, parseNetworkPolicy, parsePod } from '../policy/manifest'
import type { LocalAttachment, Namespace, NetworkPolicy, Pod } from '../policy/model'
import { objectKey } from '../policy/model'
import { renderFull, renderIncremental } from '../policy/nft-render'
import { PolicyApplier } from '../policy/applier'
import { SystemNftCommands } from '../policy/nft-commands'
import pino from 'pino'
import { formatIPv4Address, hostVethName, parseIPv4Address } from '../lib'

const NAMESPACES = 20
const PODS_PER_NODE = 50
const POD_BASE = parseIPv4Address('10.244.0.0')
const TIERS = ['web', 'api', 'db']

interface World {
  namespaces: Map<string, Namespace>
  pods: Map<string, Pod>
  policies: Map<string, NetworkPolicy>
}

/** Pod i's address: node i / 50 has the /26 starting at 10.244.0.0 + 64 * node. */
function podAddress (i: number): string {
  return formatIPv4Address(POD_BASE + 64 * Math.floor(i / PODS_PER_NODE) + 2 + (i % PODS_PER_NODE))
}

function makePod (i: number): Pod {
  return parsePod({
    kind: 'Pod',
    metadata: { namespace: `ns${i % NAMESPACES}`, name: `pod${i}`, labels: { app: `app${i % 10}`, tier: TIERS[i % 3] } },
    spec: {
      nodeName: `node${Math.floor(i / PODS_PER_NODE)}`,
      containers: [{
        name: 'main',
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
          { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
        ],
      }],
    },
    status: { podIPs: [{ ip: podAddress(i) }] },
  })
}

function makePolicy (k: number): NetworkPolicy {
  const namespace = `ns${k % NAMESPACES}`
  const podSelector = { matchLabels: { app: `app${k % 10}` } }
  const meta = { namespace, name: `pol${k}` }
  const shapes: Array<Record<string, unknown>> = [
    { podSelector, ingress: [{ from: [{ podSelector: { matchLabels: { app: `app${(k + 1) % 10}` } } }], ports: [{ port: 8080 }] }] },
    {
      podSelector,
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { team: `t${k % 5}` } }, podSelector: { matchLabels: { tier: 'web' } } }],
        ports: [{ port: 'http' }],
      }],
    },
    {
      podSelector,
      policyTypes: ['Egress'],
      egress: [{
        to: [{ ipBlock: { cidr: '10.0.0.0/8', except: [`10.${k % 200}.0.0/24`] } }],
        ports: [{ protocol: 'UDP', port: 53 }, { port: 5432, endPort: 5439 }],
      }],
    },
    {
      podSelector,
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: 'db' } } }], ports: [{ port: 'metrics' }] }],
    },
    { podSelector: {}, policyTypes: ['Ingress'] },
  ]
  return parseNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: shapes[k % shapes.length] })
}

function makeWorld (pods: number, policies: number): World {
  const w: World = { namespaces: new Map(), pods: new Map(), policies: new Map() }
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = parseNamespace({ kind: 'Namespace', metadata: { name: `ns${n}`, labels: { team: `t${n % 5}` } } })
    w.namespaces.set(ns.name, ns)
  }
  for (let i = 0; i < pods; i++) {
    const p = makePod(i)
    w.pods.set(objectKey(p.namespace, p.name), p)
  }
  for (let k = 0; k < policies; k++) {
    const p = makePolicy(k)
    w.policies.set(objectKey(p.namespace, p.name), p)
  }
  return w
}

/** This node = node0: pods 0..49 are local, attached through veths named as loom-cni names them. */
function inputOf (w: World, localCount: number): CompileInput {
  const local: LocalAttachment[] = []
  for (let i = 0; i < localCount; i++) {
    local.push({ namespace: `ns${i % NAMESPACES}`, name: `pod${i}`, ip: podAddress(i), hostVeth: hostVethName(`c${i}`, 'eth0') })
  }
  return { snapshot: { namespaces: w.namespaces, pods: w.pods, policies: w.policies }, local, remote: [] }
}

function ms (t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

function nft (ns: string, script: string): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script, maxBuffer: 1 << 28 })
  const took = ms(t0)
  if (r.status !== 0) throw new Error(`nft -f failed (${r.status}): ${r.stderr.toString().slice(0, 500)}`)
  return took
}

function kernelCounts (ns: string): { rules: number; elements: number; listMs: number } {
  const t0 = process.hrtime.bigint()
  const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'loom'], { maxBuffer: 1 << 30 })
  const listMs = ms(t0)
  const json = JSON.parse(out.toString()) as { nftables: Array<Record<string, { elem?: unknown[] }>> }
  let rules = 0
  let elements = 0
  for (const item of json.nftables) {
    if (item.rule !== undefined) rules++
    const s = item.set ?? item.map
    if (s !== undefined && Array.isArray(s.elem)) elements += s.elem.length
  }
  return { rules, elements, listMs }
}

/**
 * What loomd does when a pod appears: update the incremental compiler's state (policy/incremental.ts;
 * `LOOM_BENCH_FULL=1`: compile the whole view again, as before it), render the difference, apply it.
 */
function addPod (ns: string, w: World, inc: IncrementalCompiler, before: DesiredState, pod: Pod, localCount: number): {
  state: DesiredState; ms: number; updateMs: number; bytes: number
} {
  w.pods.set(objectKey(pod.namespace, pod.name), pod)
  const t0 = process.hrtime.bigint()
  const state = process.env.LOOM_BENCH_FULL === '1' ? compile(inputOf(w, localCount)) : inc.update(inputOf(w, localCount))
  const script = renderIncremental(before, state)
  const updateMs = ms(t0)
  nft(ns, script)
  return { state, ms: ms(t0), updateMs, bytes: script.length }
}

/** SystemNftCommands inside the namespace, noting which sets the drift check reads. */
class BenchNft extends SystemNftCommands {
  readonly setsRead = new Set<string>()
  constructor (ns: string) { super({ nftPath: 'ip', nftArgsPrefix: ['netns', 'exec', ns, 'nft'] }) }
  override async listSets (sets: ReadonlyArray<{ name: string; kind: 'set' | 'map' }>): Promise<NftJson[]> {
    for (const s of sets) this.setsRead.add(s.name)
    return await super.listSets(sets)
  }
}

/**
 * loomd's drift check (PolicyApplier.checkDrift, default budgets) against the table in the
 * namespace: the median time of one check over three, and how many checks it takes until every
 * set has been read once (a full cycle: the bound on finding an element changed by hand).
 */
async function driftCheck (ns: string, state: DesiredState): Promise<{ ms: number; cycle: number }> {
  const commands = new BenchNft(ns)
  const logger = pino({ level: 'silent' })
  const applier = new PolicyApplier({ commands, logger, compile: () => state }, { driftCheckMs: 0 })
  await applier.request()
  const times: number[] = []
  let cycle = 0
  while (commands.setsRead.size < state.sets.size + 3 && cycle < 10_000) {
    const t0 = process.hrtime.bigint()
    const diffs = await applier.checkDrift()
    if (diffs.length > 0) throw new Error(`drift check found ${diffs.join('; ')} in a table nobody touched`)
    if (times.length < 3) times.push(ms(t0))
    cycle++
  }
  applier.stop()
  return { ms: median(times), cycle }
}

async function run (ns: string, pods: number, policies: number, rounds: number): Promise<string> {
  const w = makeWorld(pods, policies)
  const compileMs: number[] = []
  const compileCpuMs: number[] = []
  const fullMs: number[] = []
  const localAddMs: number[] = []
  const localUpdateMs: number[] = []
  const remoteAddMs: number[] = []
  const remoteUpdateMs: number[] = []
  let scriptBytes = 0
  let localScript = 0
  let remoteScript = 0
  let last: DesiredState | undefined
  // The pod the rounds add on this node is not in the cluster yet.
  w.pods.delete(objectKey(`ns${(PODS_PER_NODE - 1) % NAMESPACES}`, `pod${PODS_PER_NODE - 1}`))
  for (let r = 0; r < rounds; r++) {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'flush', 'ruleset'])
    const t0 = process.hrtime.bigint()
    const cpu0 = process.cpuUsage()
    const state = compile(inputOf(w, PODS_PER_NODE - 1))
    compileMs.push(ms(t0))
    const cpu = process.cpuUsage(cpu0)
    compileCpuMs.push((cpu.user + cpu.system) / 1000)
    const full = renderFull(state)
    scriptBytes = full.length
    fullMs.push(nft(ns, full))
    const inc = new IncrementalCompiler()
    const primed = inc.update(inputOf(w, PODS_PER_NODE - 1)) // loomd's compiler after its first apply
    // One pod added on this node: its attachment and its Pod object.
    const localPod = makePod(PODS_PER_NODE - 1)
    const local = addPod(ns, w, inc, primed, localPod, PODS_PER_NODE)
    localAddMs.push(local.ms)
    localUpdateMs.push(local.updateMs)
    localScript = local.bytes
    // One pod added on another node: only peer-set elements change here. A `tier=db` pod
    // (index % 3 == 2), so that it joins the egress named-port sets whatever the size.
    const remotePod = makePod(pods + ((2 - (pods % 3)) + 3) % 3)
    const remote = addPod(ns, w, inc, local.state, remotePod, PODS_PER_NODE)
    remoteAddMs.push(remote.ms)
    remoteUpdateMs.push(remote.updateMs)
    remoteScript = remote.bytes
    last = remote.state
    if (r === 0 && renderIncremental(remote.state, compile(inputOf(w, PODS_PER_NODE))) !== '') {
      throw new Error('the incremental state differs from a full compile')
    }
    w.pods.delete(objectKey(localPod.namespace, localPod.name))
    w.pods.delete(objectKey(remotePod.namespace, remotePod.name))
  }
  const k = kernelCounts(ns)
  const drift = await driftCheck(ns, last as DesiredState)
  const f = (x: number): string => x.toFixed(0).padStart(7)
  return `| ${String(pods).padStart(5)} | ${String(policies).padStart(4)} | ${f(median(compileMs))} (${median(compileCpuMs).toFixed(0)} CPU) | ${f(median(fullMs))} | ` +
    `${(scriptBytes / 1024).toFixed(0).padStart(6)} | ${f(median(localAddMs))} (${median(localUpdateMs).toFixed(0)}) | ${(localScript / 1024).toFixed(1).padStart(5)} | ` +
    `${f(median(remoteAddMs))} (${median(remoteUpdateMs).toFixed(0)}) | ${String(remoteScript).padStart(5)} | ${String(k.rules).padStart(6)} | ` +
    `${String(k.elements).padStart(7)} | ${f(k.listMs)} | ${f(drift.ms)} | ${String(drift.cycle).padStart(3)} |`
}

async function main (): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('policy-apply: run as root (it creates a network namespace for nft)')
    process.exit(1)
  }
  const rounds = Number(process.argv[2] ?? 3)
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    console.error(`policy-apply: rounds must be an integer 1-20, not ${process.argv[2]}`)
    process.exit(1)
  }
  const ns = `loom-policy-bench-${randomBytes(3).toString('hex')}`
  execFileSync('ip', ['netns', 'add', ns])
  const cleanup = (): void => { spawnSync('ip', ['netns', 'del', ns]) }
  process.on('SIGINT', () => { cleanup(); process.exit(130) })
  process.on('SIGTERM', () => { cleanup(); process.exit(143) })
  try {
    const base: number[] = []
    for (let i = 0; i < 5; i++) base.push(nft(ns, 'list tables\n'))
    console.log(`# uptime before: ${execFileSync('uptime').toString().trim()}`)
    console.log(`# baseline: spawning \`ip netns exec … nft -f -\` with an empty script: ${median(base).toFixed(0)} ms (median of 5)`)
    console.log(`# ${PODS_PER_NODE} local pods on the measured node; median of ${rounds} rounds; times in ms`)
    console.log('| pods | policies | compile (CPU ms) | full apply | script KiB | +1 local pod (update) | script KiB | ' +
      '+1 remote pod (update) | script B | rules | set elements | nft -j list | drift check | checks/cycle |')
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for (const pods of [100, 1000, 5000]) {
      for (const policies of [50, 500]) console.log(await run(ns, pods, policies, rounds))
    }
    console.log(`# uptime after: ${execFileSync('uptime').toString().trim()}`)
  } finally {
    cleanup()
  }
}

main().catch((err: Error) => { console.error(err); process.exitCode = 1 })
