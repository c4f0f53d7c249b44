/**
 * Replayed gossip frames, with real loomd processes. Three gossip-mode nodes share the cluster
 * secret; a fourth namespace on the same underlay runs no loomd and plays the attacker: it gets
 * node2's gossip traffic as captured on the wire (tcpdump on node2's underlay link: sealed
 * datagrams, and the frames of one push-pull stream) and sends them to node2 again, datagrams
 * over UDP and the stream frame over a new TCP connection.
 *   - Every replayed frame is refused before it reaches membership or IPAM and counted as
 *     `loom_control_gossip_frames_rejected_total{reason="replay"}`; the cluster is unchanged.
 *   - node2 is restarted and the same frames are sent again: a new process has seen none of
 *     them, and they are refused as `stale` (sealed before it started), while node2 rejoins.
 * Before the replay check (seal version 1) these frames opened and were handled every time.
 *
 *   n1 (seed) ─ n2 (captured, target) ─ n3 ─┬─ br0 in ns "sw" ─┬─ n4 (attacker: no loomd)
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, LabNode, OverlayLab } from './lib/overlay-lab'
import { pcapPayloads } from './lib/pcap'
import { scrapeMetric } from './lib/scrape'
import type { StatusDocument } from '../../agent/types'

const GOSSIP_PORT = 6783
const SEALED = 0x4c53

/** Sealed frames node `to` received over UDP. */
function sealedDatagramsTo (file: string, to: string): Buffer[] {
  return pcapPayloads(file).filter((s) => s.proto === 'udp' && s.dst === to && s.dport === GOSSIP_PORT &&
    s.payload.length > 6 && s.payload.readUInt16BE(0) === SEALED).map((s) => s.payload)
}

/** The first whole sealed frame node `to` received on a TCP stream (a push-pull request or reply). */
function sealedStreamFrameTo (file: string, to: string): Buffer | undefined {
  const streams = new Map<string, Buffer[]>()
  for (const s of pcapPayloads(file)) {
    if (s.proto !== 'tcp' || s.dst !== to) continue
    const key = `${s.src}:${s.sport}>${s.dport}`
    streams.set(key, [...(streams.get(key) ?? []), s.payload])
  }
  for (const parts of streams.values()) {
    const bytes = Buffer.concat(parts)
    if (bytes.length < 6 || bytes.readUInt16BE(0) !== SEALED) continue
    const len = 6 + bytes.readUInt32BE(2)
    if (bytes.length >= len) return bytes.subarray(0, len)
  }
  return undefined
}

async function status (node: LabNode): Promise<StatusDocument> {
  const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
  if (r.status !== 200) throw new Error(`status of ${node.name}: ${r.status}`)
  return r.body as StatusDocument
}

t.test('gossip frames captured on the wire and sent again are refused: replay, then stale after a restart',
  { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
    const lab = new NetnsLab('crypto-rpl')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab,
      { nodes: 4, podsPerNode: 0, encapsulation: 'udp', gossip: {}, withoutLoomd: [4] })
    await overlay.build()
    const [n1, n2, n3, attacker] = overlay.nodes
    const members = [n1, n2, n3]
    await overlay.startAll()
    const rejected = async (n: LabNode, reason: string): Promise<number> =>
      await scrapeMetric(lab, n.ns, `loom_control_gossip_frames_rejected_total{reason="${reason}"}`)
    const wholeCluster = async (what: string): Promise<void> => {
      await waitFor(what, async () => {
        for (const n of members) {
          const s = await status(n).catch(() => undefined)
          if (s === undefined) return false
          const alive = s.peers.filter((p) => p.state === 'alive').map((p) => p.nodeName).sort()
          if (alive.join() !== members.filter((m) => m !== n).map((m) => m.name).sort().join()) return false
        }
        return true
      }, 40_000, 250)
    }
    await wholeCluster('the 3 members to see each other')

    // Capture node2's gossip until it holds datagrams and one stream frame (push-pull: every 30 s).
    const pcap = lab.file('gossip.pcap')
    const dump = lab.spawn(n2.ns, ['tcpdump', '-i', 'eth0', '-U', '-n', '-w', pcap, 'port', String(GOSSIP_PORT)],
      'tcpdump.log')
    await waitFor('tcpdump to listen', async () => {
      try { return readFileSync(lab.file('tcpdump.log'), 'utf8').includes('listening on') } catch { return false }
    }, 10_000)
    await waitFor('a push-pull stream and datagrams to node2 in the capture', async () =>
      sealedStreamFrameTo(pcap, n2.underlay) !== undefined && sealedDatagramsTo(pcap, n2.underlay).length >= 10,
    45_000, 500)
    await lab.stop(dump, 'SIGINT')
    const datagrams = sealedDatagramsTo(pcap, n2.underlay).slice(0, 20)
    const streamFrame = sealedStreamFrameTo(pcap, n2.underlay)
    if (streamFrame === undefined) throw new Error('no stream frame captured')
    t.ok(datagrams.length >= 10, `${datagrams.length} sealed datagrams captured`)

    // The attacker sends them all to node2's gossip port from its own address.
    const replay = async (): Promise<void> => {
      const script = `const dgram=require('dgram'),net=require('net');
        const frames=${JSON.stringify(datagrams.map((d) => d.toString('hex')))};
        const s=dgram.createSocket('udp4');
        s.bind(0,'${attacker.underlay}',async()=>{
          for(const f of frames) await new Promise((r)=>s.send(Buffer.from(f,'hex'),${GOSSIP_PORT},'${n2.underlay}',r));
          s.close();
          const c=net.connect({host:'${n2.underlay}',port:${GOSSIP_PORT},localAddress:'${attacker.underlay}'},()=>{
            c.end(Buffer.from('${streamFrame.toString('hex')}','hex'))});
          c.on('error',()=>{});c.on('close',()=>{});
        })`
      await lab.execOk(attacker.ns, [process.execPath, '-e', script], { timeoutMs: 10_000 })
    }
    const replayBefore = await rejected(n2, 'replay')
    const authBefore = await rejected(n2, 'auth')
    await replay()
    const expected = replayBefore + datagrams.length + 1
    await waitFor('every replayed frame to be counted', async () => await rejected(n2, 'replay') >= expected,
      10_000, 200).catch(() => undefined)
    t.equal(await rejected(n2, 'replay'), expected,
      `all ${datagrams.length} datagrams and the stream frame refused as replay`)
    t.equal(await rejected(n2, 'auth'), authBefore, 'none of them failed authentication: they were genuine')
    for (const n of members) {
      const s = await status(n)
      t.notOk(s.peers.some((p) => p.nodeName === attacker.name), `${n.name} knows nothing of the attacker`)
      t.equal(s.peers.filter((p) => p.state === 'alive').length, 2, `${n.name}: 2 alive peers`)
    }

    // node2 restarts: the new process has seen none of these frames, and still refuses them.
    await overlay.stopDaemon(n2)
    overlay.startDaemon(n2)
    await overlay.waitReady(n2)
    await replay()
    await waitFor('the frames to be counted as stale', async () =>
      await rejected(n2, 'stale') >= datagrams.length + 1, 10_000, 200).catch(() => undefined)
    t.equal(await rejected(n2, 'stale'), datagrams.length + 1,
      'after the restart every replayed frame is refused as stale (sealed before node2 started)')
    t.equal(await rejected(n2, 'replay'), 0, 'a new process: nothing counted as seen')
    await wholeCluster('node2 to rejoin after its restart')
    t.pass('node2 rejoined: its fresh frames and the others\' are heard')
  })
