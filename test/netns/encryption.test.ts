/**
 * Three encrypted gossip-mode loomd nodes (WireGuard protocol on `udp`, the lab's cluster secret
 * as PSK, public keys from gossip), one pod each:
 *   - ping and a byte-exact TCP echo across every ordered pair;
 *   - `tcpdump` on the underlay while pinging with a known payload pattern finds no plaintext
 *     (the same capture on the pod's veth does: the pattern check works), only WireGuard
 *     transport messages;
 *   - a captured transport packet sent again is dropped and counted as `replay`, a copy with a
 *     new counter (so it fails the AEAD, not the replay window) as `auth`;
 *   - the secret rotated in three steps (add second, move first, remove old) while pings flow:
 *     no reply lost, every step rekeys, no handshake fails.
 */
import t from 'tap'
import { readFileSync, renameSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { apiRequest, LabNode, OverlayLab, REPO_ROOT, writeSecretFile } from './lib/overlay-lab'
import { join } from 'node:path'
import type { StatusDocument } from '../../agent/types'

const TCP_ECHO = join(REPO_ROOT, 'dist', 'test', 'netns', 'fixtures', 'tcp-echo.js')
const ECHO_PORT = 7007
const MTU = 1440
/** 16 bytes ping repeats through its payload (ping -p). */
const PATTERN = '6c6f6f6d2d706c61696e746578742121'

async function status (node: LabNode): Promise<StatusDocument> {
  const r = await apiRequest(node.apiSocket, 'GET', '/v1/status')
  if (r.status !== 200) throw new Error(`status of ${node.name}: ${r.status}`)
  return r.body as StatusDocument
}

/** UDP payloads (with src/dst address) of an Ethernet pcap file. */
function pcapUdpPayloads (file: string): Array<{ src: string, dst: string, dport: number, payload: Buffer }> {
  const b = readFileSync(file)
  const out: Array<{ src: string, dst: string, dport: number, payload: Buffer }> = []
  let off = 24
  while (off + 16 <= b.length) {
    const incl = b.readUInt32LE(off + 8)
    const frame = b.subarray(off + 16, off + 16 + incl)
    off += 16 + incl
    if (frame.length < 42 || frame.readUInt16BE(12) !== 0x0800 || frame[23] !== 17) continue
    const ihl = (frame[14] & 0x0f) * 4
    const udp = 14 + ihl
    out.push({
      src: frame.subarray(26, 30).join('.'),
      dst: frame.subarray(30, 34).join('.'),
      dport: frame.readUInt16BE(udp + 2),
      payload: Buffer.from(frame.subarray(udp + 8)),
    })
  }
  return out
}

t.test('3 encrypted gossip nodes: traffic, no plaintext on the wire, replay refused, secret rotation',
  { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
    const lab = new NetnsLab('enc')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 3, podsPerNode: 0, encapsulation: 'udp', gossip: {}, encryption: {} })
    await overlay.build()
    await overlay.startAll()
    const nodes = overlay.nodes
    const metric = async (n: LabNode, name: string): Promise<number> => {
      const r = await lab.exec(n.ns, ['curl', '-sf', 'http://127.0.0.1:9784/metrics'])
      const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => '\\' + c)} (\\S+)$`, 'm').exec(r.stdout)
      return m === null ? 0 : Number(m[1])
    }

    await waitFor('every agent ready with 2 alive peers', async () => {
      for (const n of nodes) {
        if ((await apiRequest(n.apiSocket, 'GET', '/v1/ready')).status !== 200) return false
        if ((await status(n)).peers.filter((p) => p.state === 'alive').length !== 2) return false
      }
      return true
    }, 60_000, 250)
    for (const n of nodes) await overlay.addPodFromAgent(n, 1, MTU)
    await waitFor('routes to both other nodes everywhere', async () => {
      for (const n of nodes) if (new Set((await status(n)).routes.map((r) => r.nodeName)).size !== 2) return false
      return true
    }, 30_000, 250)
    const s1 = await status(nodes[0])
    t.equal(s1.node.mtu, MTU, 'MTU = 1500 - 60')
    t.equal(s1.node.encryption, true)
    t.match(s1.node.publicKey, /^[A-Za-z0-9+/]{43}=$/, 'status shows the node public key')
    for (const p of s1.peers) t.match(p.publicKey, /^[A-Za-z0-9+/]{43}=$/, `${p.nodeName}'s key came through gossip`)

    for (const n of nodes) {
      lab.spawn(n.pods[0].ns, [process.execPath, TCP_ECHO, 'server', String(ECHO_PORT)],
    `echo-${n.name}.log`)
    }
    for (const n of nodes) await lab.waitTcpListening(n.pods[0].ns, ECHO_PORT)
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue
        const p = await overlay.ping(a.pods[0], b.pods[0].address, 3)
        t.ok(p.ok, `ping ${a.name} -> ${b.name}`, { output: p.output })
        const tcp = await lab.exec(a.pods[0].ns,
          [process.execPath, TCP_ECHO, 'client', b.pods[0].address, String(ECHO_PORT), String(1 << 20)],
          { timeoutMs: 30_000 })
        t.match(tcp.stdout, /"ok":true/, `TCP echo ${a.name} -> ${b.name}`, { output: tcp.stdout + tcp.stderr })
      }
    }
    const peers1 = (await status(nodes[0])).peers
    t.ok(peers1.every((p) => p.handshake === 'established' && p.keyAgeSeconds !== null),
      'sessions established with both peers')

    // No plaintext on the underlay; the pattern is visible on the pod's own veth (the control).
    const [n1, n2] = nodes
    const wire = lab.file('underlay.pcap')
    const veth = lab.file('veth.pcap')
    const dumpWire = lab.spawn(n1.ns, ['tcpdump', '-i', 'eth0', '-U', '-n', '-w', wire, 'udp', 'port', '6784'],
      'tcpdump-wire.log')
    const dumpVeth = lab.spawn(n1.ns, ['tcpdump', '-i', n1.pods[0].hostVeth, '-U', '-n', '-w', veth, 'icmp'],
      'tcpdump-veth.log')
    await waitFor('tcpdump to listen', async () => ['tcpdump-wire.log', 'tcpdump-veth.log']
      .every((f) => { try { return readFileSync(lab.file(f), 'utf8').includes('listening on') } catch { return false } }),
    10_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const pinged = await overlay.ping(n1.pods[0], n2.pods[0].address, 5, 200, ['-p', PATTERN])
    t.ok(pinged.ok, 'ping with the pattern', { output: pinged.output })
    const requestsToN2 = (): Buffer[] => pcapUdpPayloads(wire).filter((d) => d.dst === n2.underlay &&
    d.payload[0] === 4 && d.payload.length >= 200).map((d) => d.payload)
    // tcpdump writes what it has read; give it until all 5 requests are on disk.
    await waitFor('the capture to hold the 5 requests', async () => requestsToN2().length >= 5, 10_000,
      200).catch(() => undefined)
    await lab.stop(dumpWire, 'SIGINT')
    await lab.stop(dumpVeth, 'SIGINT')
    const pattern = Buffer.from(PATTERN, 'hex')
    t.ok(readFileSync(veth).includes(pattern), 'control: the pattern is in the clear on the pod veth')
    t.notOk(readFileSync(wire).includes(pattern), 'the pattern appears nowhere on the underlay')
    const datagrams = pcapUdpPayloads(wire)
    const toN2 = requestsToN2()
    t.ok(toN2.length >= 5, `WireGuard transport messages carried the pings (${toN2.length})`)
    t.ok(datagrams.every((d) => d.payload[0] >= 1 && d.payload[0] <= 4 && d.payload.readUInt16BE(1) === 0),
      'every datagram is a WireGuard message')

    // Replay a captured transport packet, and a forged copy, from n1's underlay address.
    const replayBefore = await metric(n2, 'loom_dataplane_drops_total{direction="in",reason="replay"}')
    const authBefore = await metric(n2, 'loom_dataplane_drops_total{direction="in",reason="auth"}')
    const packet = toN2[0]
    // The forgery carries a counter never seen (so the replay check passes) and fails the AEAD.
    const forged = Buffer.from(packet)
    forged.writeUInt32LE(packet.readUInt32LE(8) + 100_000, 8)
    const send = `const s=require('dgram').createSocket('udp4');s.bind(0,'${n1.underlay}',()=>{` +
    `s.send(Buffer.from('${packet.toString('hex')}','hex'),6784,'${n2.underlay}',()=>` +
    `s.send(Buffer.from('${forged.toString('hex')}','hex'),6784,'${n2.underlay}',()=>s.close()))})`
    await lab.execOk(n1.ns, [process.execPath, '-e', send])
    await waitFor('the replay to be counted',
      async () => await metric(n2, 'loom_dataplane_drops_total{direction="in",reason="replay"}') >= replayBefore + 1,
      5000)
    t.equal(await metric(n2, 'loom_dataplane_drops_total{direction="in",reason="replay"}'), replayBefore + 1,
      'replayed transport packet counted as replay')
    t.equal(await metric(n2, 'loom_dataplane_drops_total{direction="in",reason="auth"}'), authBefore + 1,
      'bit-flipped copy counted as auth')
    const after = await overlay.ping(n1.pods[0], n2.pods[0].address, 2)
    t.ok(after.ok, 'the session is unharmed')

    // Rotation while traffic flows: ping every 100 ms from node1's pod to both others.
    const secretFile = overlay.secretFile
    const oldKey = readFileSync(secretFile, 'utf8').trim()
    const newKey = randomBytes(32).toString('base64')
    const writeAtomically = (keys: string[]): void => {
      writeSecretFile(secretFile + '.tmp', keys.map((k) => Buffer.from(k, 'base64')))
      renameSync(secretFile + '.tmp', secretFile)
    }
    const rekeysBefore = await metric(n1, 'loom_crypto_rekeys_total')
    const invalidBefore = (await Promise.all(nodes.map((n) => metric(n,
      'loom_crypto_handshakes_total{result="invalid"}')))).reduce((a, b) => a + b)
    const flows = nodes.slice(1).map((n) => lab.exec(n1.pods[0].ns,
      ['ping', '-n', '-q', '-c', '200', '-i', '0.1', '-W', '2', n.pods[0].address], { timeoutMs: 60_000 }))
    const steps: Array<[string, string[]]> = [['add the new key second', [oldKey, newKey]],
      ['move it first', [newKey, oldKey]], ['remove the old key', [newKey]]]
    for (const [what, keys] of steps) {
      await new Promise((resolve) => setTimeout(resolve, 2500))
      const before = await metric(n1, 'loom_crypto_rekeys_total')
      writeAtomically(keys)
      await waitFor(`a rekey after "${what}"`, async () => await metric(n1, 'loom_crypto_rekeys_total') > before, 15_000,
        250)
      t.pass(`rotation step: ${what}`)
    }
    for (const [i, flow] of flows.entries()) {
      const r = await flow
      t.match(r.stdout, / 0% packet loss/, `no ping lost node1 -> ${nodes[i + 1].name} during the rotation`,
        { output: r.stdout })
    }
    t.ok(await metric(n1, 'loom_crypto_rekeys_total') >= rekeysBefore + 3, 'each step rekeyed')
    const invalidAfter = (await Promise.all(nodes.map((n) => metric(n,
      'loom_crypto_handshakes_total{result="invalid"}')))).reduce((a, b) => a + b)
    t.equal(invalidAfter, invalidBefore, 'no handshake failed during the rotation')
    const final = await overlay.ping(nodes[2].pods[0], n2.pods[0].address, 3)
    t.ok(final.ok, 'traffic after the rotation (node3 -> node2)')
  })
