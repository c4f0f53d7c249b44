/**
 * /metrics of real loomd nodes:
 * - after a known amount of pod traffic between two nodes, the packet and byte counters on both
 *   sides agree with each other and with what was sent;
 * - a malformed datagram injected at the data port raises drops{reason="malformed"}, and a
 *   well-formed one from an address that is not the named peer raises drops{reason="auth"};
 * - a real Prometheus (Debian's, private config and storage, inside node 1's namespace so it
 *   reaches loomd's loopback listener) scrapes loomd twice, the target is up and a query for a
 *   Loom metric returns data; `promtool check metrics` on loomd's exposition reports nothing.
 *
 *   n1 (loomd, 198.18.0.1) ── br0 ── n2 (loomd, 198.18.0.2)
 *                              └──── intruder (198.18.0.99, no loomd)
 */
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { OverlayLab } from './lib/overlay-lab'

/** GETs a URL from inside a namespace (its loopback is its own). */
async function getInNs (lab: NetnsLab, ns: string, url: string): Promise<string> {
  const script = `require('http').get(${JSON.stringify(url)},r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>process.stdout.write(b))}).on('error',e=>{console.error(e.message);process.exit(1)})`
  return await lab.execOk(ns, [process.execPath, '-e', script])
}

/** The value of one series in a Prometheus exposition; 0 when absent. */
function sample (text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}

/** Sends one UDP datagram from inside a namespace. */
async function sendUdp (lab: NetnsLab, ns: string, host: string, port: number, hex: string): Promise<void> {
  const script = `const s=require('dgram').createSocket('udp4');s.send(Buffer.from(${JSON.stringify(hex)},'hex'),${port},${JSON.stringify(host)},()=>s.close())`
  await lab.execOk(ns, [process.execPath, '-e', script])
}

const haveProm = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).error === undefined &&
  spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined

t.test('loomd counters match the traffic; bad datagrams are counted by reason; Prometheus scrapes loomd',
  { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
    const lab = new NetnsLab('met')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 1, encapsulation: 'udp' })
    await overlay.build()
    const intruder = await lab.addNamespace('x')
    await lab.addVeth(intruder, 'eth0', '198.18.0.99/24', overlay.switchNs, 'x', '')
    await lab.must('ip', ['-n', overlay.switchNs, 'link', 'set', 'x', 'master', 'br0'])
    await overlay.startAll()
    const [n1, n2] = overlay.nodes

    // 100 echo requests of 100 bytes (128-byte IP packets) and their 100 replies.
    const ping = await overlay.ping(n1.pods[0], n2.pods[0].address, 100, 100, ['-i', '0.01'])
    t.ok(ping.ok, 'ping of 100 packets', { output: ping.output })
    const m1 = await getInNs(lab, n1.ns, 'http://127.0.0.1:9784/metrics')
    const m2 = await getInNs(lab, n2.ns, 'http://127.0.0.1:9784/metrics')
    const out1 = sample(m1, 'loom_dataplane_packets_total', { direction: 'out', peer: 'node2' })
    const in2 = sample(m2, 'loom_dataplane_packets_total', { direction: 'in', peer: 'node1' })
    t.equal(out1, 100, 'node1 sent exactly the 100 requests to node2')
    t.match(m1, /^loom_dataplane_tun_queue_drops_total \d+$/m, 'TUN queue drops exported from the kernel counter')
    t.equal(in2, out1, 'node2 received what node1 sent')
    t.equal(sample(m1, 'loom_dataplane_bytes_total', { direction: 'out', peer: 'node2' }), 100 * 128,
      'bytes out = 100 x 128')
    t.equal(sample(m2, 'loom_dataplane_bytes_total', { direction: 'in', peer: 'node1' }), 100 * 128,
      'bytes in = bytes out')
    t.equal(sample(m2, 'loom_dataplane_packets_total', { direction: 'out', peer: 'node1' }), 100,
      'node2 sent 100 replies')
    t.equal(sample(m1, 'loom_dataplane_packets_total', { direction: 'in', peer: 'node2' }), 100,
      'node1 received 100 replies')

    // A malformed datagram from node2's address, and a well-formed frame naming node2 sent from the intruder.
    t.equal(sample(m1, 'loom_dataplane_drops_total', { direction: 'in', reason: 'malformed' }), 0)
    await sendUdp(lab, n2.ns, n1.underlay, 6784, 'deadbeef')
    const status = JSON.parse((await overlay.loom(n2, ['status', 'peers', '--json'])).stdout) as unknown[]
    t.equal(status.length, 1)
    const selfIndex = (await import('../../dataplane/node-index')).deriveNodeIndex
    const header = Buffer.alloc(12)
    header[0] = 0x10
    header[1] = 1
    header.writeUInt32BE(selfIndex('node1'), 4)
    header.writeUInt32BE(selfIndex('node2'), 8)
    const inner = Buffer.alloc(28)
    inner[0] = 0x45
    inner.writeUInt16BE(28, 2)
    inner[8] = 64
    inner[9] = 17
    inner.writeUInt32BE(0x0af40211, 12) // 10.244.2.17, node2's prefix
    inner.writeUInt32BE(0x0af4010b, 16) // 10.244.1.11
    await sendUdp(lab, intruder, n1.underlay, 6784, Buffer.concat([header, inner]).toString('hex'))
    await waitFor('drops to be counted', async () => {
      const m = await getInNs(lab, n1.ns, 'http://127.0.0.1:9784/metrics')
      return sample(m, 'loom_dataplane_drops_total', { direction: 'in', reason: 'auth' }) === 1
    }, 5000, 100)
    const after = await getInNs(lab, n1.ns, 'http://127.0.0.1:9784/metrics')
    t.equal(sample(after, 'loom_dataplane_drops_total', { direction: 'in', reason: 'malformed' }), 1, 'malformed counted')
    t.equal(sample(after, 'loom_dataplane_drops_total', { direction: 'in', reason: 'auth' }), 1,
      'frame from the wrong address counted as auth')
    t.match((await overlay.loom(n1, ['status'])).stdout, /Drops in: malformed=1 auth=1/, 'loom status shows the drops')

    t.test('a real Prometheus scrapes loomd',
      { skip: haveProm ? false : 'prometheus/promtool not installed (setup.sh installs them)' }, async (t) => {
        const lint = spawnSync('ip', ['netns', 'exec', n1.ns, 'promtool', 'check', 'metrics'],
          { input: after, encoding: 'utf8' })
        t.equal(lint.status, 0, 'promtool check metrics passes')
        t.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool reports nothing')

        const config = lab.file('prometheus.yml')
        writeFileSync(config,
          'global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: loomd\n    static_configs:\n      - targets: ["127.0.0.1:9784"]\n')
        lab.spawn(n1.ns, ['prometheus', `--config.file=${config}`, `--storage.tsdb.path=${lab.file('tsdb')}`,
          '--web.listen-address=127.0.0.1:9090', '--log.level=warn'], 'prometheus.log')
        let scrapes = 0
        await waitFor('two scrapes by Prometheus', async () => {
          try {
            const q = JSON.parse(await getInNs(lab, n1.ns,
              'http://127.0.0.1:9090/api/v1/query?query=count_over_time(up%7Bjob%3D%22loomd%22%7D%5B1m%5D)')) as {
              data: { result: Array<{ value: [number, string] }> }
            }
            scrapes = Number(q.data.result[0]?.value[1] ?? 0)
            return scrapes >= 2
          } catch { return false }
        }, 30_000, 500)
        t.ok(scrapes >= 2, `scraped ${scrapes} times`)
        const targets = JSON.parse(await getInNs(lab, n1.ns, 'http://127.0.0.1:9090/api/v1/targets')) as {
          data: { activeTargets: Array<{ health: string }> }
        }
        t.equal(targets.data.activeTargets[0]?.health, 'up', 'target is up')
        const q = JSON.parse(await getInNs(lab, n1.ns,
          'http://127.0.0.1:9090/api/v1/query?query=loom_dataplane_packets_total%7Bdirection%3D%22out%22%2Cpeer%3D%22node2%22%7D')) as { data: { result: Array<{ value: [number, string] }> } }
        t.equal(Number(q.data.result[0]?.value[1]), 100, 'Prometheus returns the Loom counter')
      })
  })
