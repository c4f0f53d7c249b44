/**
 * What NetworkPolicy enforcement costs on the kernel path (issue 12: a policy-selected pod
 * should lose < 5 % throughput against an unselected one). Root only; everything happens in
 * network namespaces this benchmark creates and removes (`loom-ptp-<random>-{node,a,b}`).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/policy-throughput.js [rounds=15] [seconds=5]
 *
 * One node namespace with two pods, a (client) and b (server), on host veths named as loom-cni
 * names them (`lxc…`), routed through the node (proxy ARP, forwarding on), so that every packet
 * crosses the node's FORWARD hook as pod traffic does in Loom. Table `inet loom` is what
 * compile() makes (policy/compiler.ts) for three set-ups, applied with `nft -f -`:
 * - none: no table at all;
 * - unselected: the table, with a and b known (local-pods) and no policy selecting them;
 * - selected: a policy isolating b for ingress (from a's label, TCP 5201-5202) and one isolating
 *   a for egress (to b's label, the same ports), each beside a deny-all for other traffic, so a
 *   connection passes a's egress chain and b's ingress chain.
 * Per round and set-up, in turn (so that the machine's load hits each alike; the order rotates
 * every round, so no set-up always runs first or right after another): iperf3 TCP, one stream,
 * `seconds` long, a -> b; and new connections per second (a Node client opening and closing
 * connections to a Node server in b for 3 s: there every connection's SYN runs the chains,
 * where an established flow only meets `ct state established` first). Medians of `rounds`, and
 * the figure: selected / unselected per round (the two ran seconds apart, so a change
 * of load between rounds cancels out), its median and quartiles, against the target (>= 0.95).
 * Printed with the load average before and after; on a shared machine a report, not a result.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createConnection, createServer } from 'node:net'
import { compile } from '../policy/compiler'
import { parseNamespace, parseNetworkPolicy, parsePod } from '../policy/manifest'
import type { NetworkPolicy } from '../policy/model'
import { renderFull } from '../policy/nft-render'
import { hostVethName } from '../lib'

const A = { name: 'a', ip: '10.244.0.2', veth: hostVethName('bench-a', 'eth0') }
const B = { name: 'b', ip: '10.244.0.3', veth: hostVethName('bench-b', 'eth0') }
const CRR_PORT = 5202

function sh (args: string[], input?: string): string {
  const r = spawnSync(args[0], args.slice(1), { input, maxBuffer: 1 << 26, timeout: 60_000 })
  if (r.status !== 0) {
    throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr?.toString().slice(0, 400)} ${r.stdout?.toString().slice(0, 400)}`)
  }
  return r.stdout.toString()
}

function policy (name: string, spec: Record<string, unknown>): NetworkPolicy {
  return parseNetworkPolicy({ kind: 'NetworkPolicy', metadata: { namespace: 'x', name }, spec })
}

/** The table for a set-up: compile() of namespace x with pods a and b on this node. */
function tableFor (setup: 'unselected' | 'selected'): string {
  const pod = (p: typeof A): [string, ReturnType<typeof parsePod>] => [`x/${p.name}`, parsePod({
    kind: 'Pod',
    metadata: { namespace: 'x', name: p.name, labels: { pod: p.name } },
    spec: { containers: [{ name: 'c' }] },
    status: { podIPs: [{ ip: p.ip }] },
  })]
  const ports = [{ port: 5201, endPort: CRR_PORT }]
  const policies = setup === 'unselected'
    ? []
    : [
        policy('b-from-a', {
          podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'a' } } }], ports }]
        }),
        policy('a-to-b', {
          podSelector: { matchLabels: { pod: 'a' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports }],
        }),
        policy('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      ]
  const state = compile({
    snapshot: {
      namespaces: new Map([['x', parseNamespace({ kind: 'Namespace', metadata: { name: 'x' } })]]),
      pods: new Map([pod(A), pod(B)]),
      policies: new Map(policies.map((p) => [`x/${p.name}`, p])),
    },
    local: [A, B].map((p) => ({ namespace: 'x', name: p.name, ip: p.ip, hostVeth: p.veth })),
    remote: [],
  })
  const selected = state.pods.filter((p) => p.isolatedIngress || p.isolatedEgress).length
  if (selected !== (setup === 'selected' ? 2 : 0)) throw new Error(`${setup}: ${selected} pods isolated`)
  return renderFull(state)
}

/** The q-quantile (0..1) by linear interpolation; median = quantile(xs, 0.5). */
function quantile (xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  const at = (s.length - 1) * q
  const lo = Math.floor(at)
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo)
}

function median (xs: number[]): number { return quantile(xs, 0.5) }

/** Connections a -> b:CRR_PORT opened and closed one after another for `ms`; prints the count. */
function crrClient (host: string, ms: number): void {
  const end = Date.now() + ms
  let n = 0
  const next = (): void => {
    if (Date.now() >= end) { console.log(String(n)); process.exit(0) }
    const s = createConnection({ host, port: CRR_PORT })
    s.setTimeout(5000, () => { console.error('crr: connection timed out'); process.exit(1) })
    s.on('connect', () => { n++; s.end() })
    s.on('close', () => { setImmediate(next) })
    s.resume()
    s.on('error', (err) => { console.error(`crr: ${err.message}`); process.exit(1) })
  }
  next()
}

async function main (): Promise<void> {
  if (process.argv[2] === 'crr-server') {
    // The client closes first, so TIME_WAIT stays on its side, where tcp_tw_reuse lets it
    // reuse ports (a server closing first left TIME_WAITs in b that stalled reused ports).
    createServer((s) => { s.on('error', () => s.destroy()); s.on('end', () => s.end()); s.resume() }).listen(CRR_PORT)
    return
  }
  if (process.argv[2] === 'crr-client') { crrClient(process.argv[3], Number(process.argv[4])); return }
  if (process.getuid?.() !== 0) {
    console.error('policy-throughput: run as root (it creates network namespaces)')
    process.exit(1)
  }
  const rounds = Number(process.argv[2] ?? 15)
  const seconds = Number(process.argv[3] ?? 5)
  const bad = (n: number, max: number): boolean => !Number.isInteger(n) || n < 1 || n > max
  if (bad(rounds, 60) || bad(seconds, 30)) {
    console.error('policy-throughput: rounds 1-60 and seconds 1-30')
    process.exit(1)
  }
  const id = randomBytes(3).toString('hex')
  const node = `loom-ptp-${id}-node`
  const pods = { a: `loom-ptp-${id}-a`, b: `loom-ptp-${id}-b` }
  const servers: Array<ReturnType<typeof spawn>> = []
  const cleanup = (): void => {
    for (const s of servers) s.kill('SIGKILL')
    for (const ns of [node, pods.a, pods.b]) spawnSync('ip', ['netns', 'del', ns])
  }
  process.on('SIGINT', () => { cleanup(); process.exit(130) })
  process.on('SIGTERM', () => { cleanup(); process.exit(143) })
  try {
    for (const ns of [node, pods.a, pods.b]) sh(['ip', 'netns', 'add', ns])
    sh(['ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    // A node has an address (its underlay): without one, its ARP requests to the pods carry
    // 0.0.0.0 and the pods' TCP answers never come back (ICMP did).
    sh(['ip', '-n', node, 'link', 'set', 'lo', 'up'])
    sh(['ip', '-n', node, 'addr', 'add', '192.0.2.1/32', 'dev', 'lo'])
    for (const p of [A, B]) {
      const ns = p === A ? pods.a : pods.b
      sh(['ip', '-n', node, 'link', 'add', p.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      sh(['ip', 'netns', 'exec', node, 'sysctl', '-qw', `net.ipv4.conf.${p.veth}.proxy_arp=1`])
      sh(['ip', '-n', node, 'link', 'set', p.veth, 'up'])
      sh(['ip', '-n', node, 'route', 'add', `${p.ip}/32`, 'dev', p.veth])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
      sh(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65000'])
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'])
      sh(['ip', '-n', ns, 'addr', 'add', `${p.ip}/32`, 'dev', 'eth0'])
      // As loom-cni wires a pod (cni/wiring.ts): a gateway that exists nowhere, resolved to the
      // host veth's MAC by a permanent neighbour entry.
      const mac = (JSON.parse(sh(['ip', '-n', node, '-j', 'link', 'show', 'dev', p.veth])) as Array<{ address: string }>)[0].address
      sh(['ip', '-n', ns, 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link'])
      sh(['ip', '-n', ns, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0'])
      sh(['ip', '-n', ns, 'neigh', 'add', '169.254.1.1', 'lladdr', mac, 'dev', 'eth0', 'nud', 'permanent'])
    }
    servers.push(spawn('ip', ['netns', 'exec', pods.b, 'iperf3', '-s', '-B', B.ip], { stdio: 'ignore' }))
    servers.push(spawn('ip', ['netns', 'exec', pods.b, process.execPath, __filename, 'crr-server'], { stdio: 'ignore' }))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const tables = { unselected: tableFor('unselected'), selected: tableFor('selected') }
    const setups = ['none', 'unselected', 'selected'] as const
    const gbits: Record<string, number[]> = { none: [], unselected: [], selected: [] }
    const crr: Record<string, number[]> = { none: [], unselected: [], selected: [] }
    const load0 = execFileSync('cat', ['/proc/loadavg']).toString().trim()
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < setups.length; i++) {
        const setup = setups[(r + i) % setups.length]
        sh(['ip', 'netns', 'exec', node, 'nft', 'flush', 'ruleset'])
        if (setup !== 'none') sh(['ip', 'netns', 'exec', node, 'nft', '-f', '-'], tables[setup])
        const out = JSON.parse(sh(['ip', 'netns', 'exec', pods.a, 'iperf3', '-c', B.ip, '-t', String(seconds), '-J'])) as {
          end: { sum_received: { bits_per_second: number } }
        }
        gbits[setup].push(out.end.sum_received.bits_per_second / 1e9)
        const n = Number(sh(['ip', 'netns', 'exec', pods.a, process.execPath, __filename, 'crr-client', B.ip, '3000']))
        crr[setup].push(n / 3)
      }
    }
    // The policy really applies: with the selected table, a's other ports are refused.
    sh(['ip', 'netns', 'exec', node, 'nft', 'flush', 'ruleset'])
    sh(['ip', 'netns', 'exec', node, 'nft', '-f', '-'], tables.selected)
    const blocked = spawnSync('ip', ['netns', 'exec', pods.a, 'iperf3', '-c', B.ip, '-p', '5999', '-t', '1', '--connect-timeout', '1000'])
    // Where new connections go with the table in place: the forward chain's drop counters after
    // one connection-rate run (an invalid or mid-stream drop costs the client a SYN retransmit).
    sh(['ip', 'netns', 'exec', node, 'nft', 'flush', 'ruleset'])
    sh(['ip', 'netns', 'exec', node, 'nft', '-f', '-'], tables.unselected)
    const crrOnce = Number(sh(['ip', 'netns', 'exec', pods.a, process.execPath, __filename, 'crr-client', B.ip, '3000']))
    const drops = sh(['ip', 'netns', 'exec', node, 'nft', 'list', 'chain', 'inet', 'loom', 'forward'])
      .split('\n').filter((l) => / drop /.test(l) && /packets [1-9]/.test(l)).map((l) => l.trim())
    const load1 = execFileSync('cat', ['/proc/loadavg']).toString().trim()
    console.log(`# load before: ${load0}; after: ${load1}`)
    console.log(`# ${rounds} rounds, iperf3 TCP 1 stream ${seconds} s a -> b (same node, through FORWARD); new connections/s over 3 s`)
    console.log(`# check: with the selected table, a -> b:5999 (not allowed) ${blocked.status !== 0 ? 'fails as it should' : 'CONNECTED (policy not enforced?)'}`)
    console.log(`# unselected table, ${crrOnce} connections in 3 s; forward chain drops: ${drops.length === 0 ? 'none' : drops.join(' | ')}`)
    console.log('| set-up | Gbit/s (median) | all rounds | vs unselected | connections/s (median) | all rounds | vs unselected |')
    console.log('|---|---|---|---|---|---|---|')
    for (const setup of setups) {
      const g = median(gbits[setup])
      const c = median(crr[setup])
      const pct = (x: number, base: number): string => `${((x / base - 1) * 100).toFixed(1)} %`
      console.log(`| ${setup} | ${g.toFixed(2)} | ${gbits[setup].map((x) => x.toFixed(2)).join(' ')} | ` +
        `${pct(g, median(gbits.unselected))} | ${c.toFixed(0)} | ${crr[setup].map((x) => x.toFixed(0)).join(' ')} | ` +
        `${pct(c, median(crr.unselected))} |`)
    }
    // The figure: a policy-selected pod against an unselected one, paired by round.
    for (const [what, xs] of [['Gbit/s', gbits], ['connections/s', crr]] as const) {
      const ratios = xs.selected.map((x, i) => x / xs.unselected[i])
      const m = median(ratios)
      console.log(`# selected / unselected ${what}: median ratio ${m.toFixed(3)} ` +
        `(quartiles ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)}, ` +
        `${rounds} rounds: ${ratios.map((x) => x.toFixed(3)).join(' ')}); ` +
        `target >= 0.950 (< 5 % cost): ${m >= 0.95 ? 'met' : 'NOT met'}`)
    }
  } finally {
    cleanup()
  }
}

main().catch((err: Error) => { console.error(err); process.exitCode = 1 })
