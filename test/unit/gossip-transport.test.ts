/**
 * The gossip transport on loopback, from a hostile peer's side: plain frames into a sealed node,
 * sealed frames into an insecure one, a port shared through SO_REUSEADDR, oversized headers,
 * more connections than allowed, and slow streams that announce big frames and trickle bytes
 * (regression: they used to hold an unbounded buffer each, grown with Buffer.concat, behind an
 * idle timer that every byte reset).
 */
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { connect, Socket } from 'node:net'
import pino from 'pino'
import { GossipKeyring } from '../../control/transport/gossip-seal'
import {
  frame, GossipTransport, type GossipTransportInit, type StreamLimits
} from '../../control/transport/gossip-transport'

const logger = pino({ level: 'silent' })
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitUntil (what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

interface Node {
  tr: GossipTransport
  got: Array<{ magic: number, frame: Buffer, from: string, channel: 'udp' | 'stream' }>
  addr: string
}

async function node (t: Test, init: Partial<GossipTransportInit> = {},
  onFrame?: GossipTransport['onFrame']): Promise<Node> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000)
    const tr = new GossipTransport({ logger }, { address: '127.0.0.1', port, ...init })
    const got: Node['got'] = []
    tr.onFrame((magic, f, from, reply, channel) => {
      got.push({ magic, frame: Buffer.from(f), from, channel })
      if (reply !== undefined) reply(frame(0x4c47, Buffer.from('reply')))
    })
    if (onFrame !== undefined) onFrame.call(tr, () => {})
    try {
      await tr.start()
      t.teardown(() => tr.stop())
      return { tr, got, addr: `127.0.0.1:${port}` }
    } catch (err) {
      await tr.stop()
      if (attempt > 20) throw err
    }
  }
}

const body = frame(0x4c47, Buffer.from('hello over gossip'))
const secret = [randomBytes(32)]

t.test('sealed datagrams and streams arrive, request and reply', async t => {
  const a = await node(t, { keyring: new GossipKeyring(secret) })
  const b = await node(t, { keyring: new GossipKeyring(secret) })
  a.tr.sendDatagram(b.addr, body)
  await waitUntil('datagram', () => b.got.length === 1)
  t.ok(b.got[0].frame.equals(body))
  a.tr.sendStream(b.addr, body)
  await waitUntil('stream request and reply', () => b.got.length === 2 && a.got.length === 1)
  t.ok(b.got[1].frame.equals(body))
  t.equal(a.got[0].frame.subarray(6).toString(), 'reply')
  // The control plane decodes by channel: a reply on our own stream is a stream frame (stream limits).
  t.same(b.got.map((g) => g.channel), ['udp', 'stream'], 'the request came by datagram, then on a stream')
  t.equal(a.got[0].channel, 'stream', 'the reply on the stream we opened is a stream frame')
  t.equal(a.tr.counters.badFrames + b.tr.counters.badFrames, 0)
})

t.test('plain frames into a sealed node, other keys, and sealed frames into an insecure node are refused', async t => {
  const sealed = await node(t, { keyring: new GossipKeyring(secret) })
  const stranger = await node(t, { keyring: new GossipKeyring([randomBytes(32)]) })
  const plain = await node(t)
  plain.tr.sendDatagram(sealed.addr, body)
  plain.tr.sendStream(sealed.addr, body)
  stranger.tr.sendDatagram(sealed.addr, body)
  sealed.tr.sendDatagram(plain.addr, body)
  await waitUntil('rejections', () => sealed.tr.rejected.unsealed === 2 && sealed.tr.rejected.unknown_key === 1 &&
    plain.tr.rejected.unknown_key === 1)
  t.equal(sealed.got.length, 0)
  t.equal(plain.got.length, 0)
})

t.test('no SO_REUSEADDR: another socket cannot bind the gossip UDP port beside us', async t => {
  const a = await node(t)
  const port = Number(a.addr.split(':')[1])
  const intruder = createSocket({ type: 'udp4', reuseAddr: true })
  const err = await new Promise<Error | undefined>((resolve) => {
    intruder.once('error', (e) => resolve(e))
    intruder.bind(port, '127.0.0.1', () => resolve(undefined))
  })
  intruder.close()
  t.match(err?.message ?? 'bound', /EADDRINUSE/)
})

function slowStream (addr: string, announce: number): Promise<Socket> {
  const [host, port] = addr.split(':')
  return new Promise((resolve) => {
    const s = connect({ host, port: Number(port) })
    s.on('error', () => {})
    s.on('connect', () => {
      const h = Buffer.alloc(6)
      h.writeUInt16BE(0x4c53, 0)
      h.writeUInt32BE(announce, 2)
      s.write(h)
      resolve(s)
    })
    s.on('close', () => resolve(s))
  })
}

t.test('20 slow streams: connections capped per source, absolute frame deadline', async t => {
  const limits: Partial<StreamLimits> = { maxPerSource: 4, maxInbound: 8, frameDeadlineMs: 400, lifetimeMs: 5000 }
  const a = await node(t, { keyring: new GossipKeyring(secret), limits })
  const socks: Socket[] = []
  t.teardown(() => { for (const s of socks) s.destroy() })
  for (let i = 0; i < 20; i++) socks.push(await slowStream(a.addr, 1 << 20))
  await waitUntil('connection limit', () => a.tr.rejected.connection_limit === 16)
  await waitUntil('4 buffers', () => a.tr.streamBufferedBytes === 4 * ((1 << 20) + 6))
  // trickle a byte every 50 ms: it must not extend the deadline
  const start = Date.now()
  const trickle = setInterval(() => { for (const s of socks) if (!s.destroyed) s.write(Buffer.alloc(1)) }, 50)
  t.teardown(() => clearInterval(trickle))
  await waitUntil('deadline', () => a.tr.rejected.deadline === 4 && a.tr.openStreams === 0, 3000)
  clearInterval(trickle)
  t.ok(Date.now() - start < 1500, 'closed by the absolute deadline despite the trickle')
  t.equal(a.tr.streamBufferedBytes, 0, 'buffers released')
  t.equal(a.got.length, 0)
})

t.test('20 streams announcing 3 MiB each: the buffer budget holds', async t => {
  const limits: Partial<StreamLimits> = {
    maxPerSource: 20, maxInbound: 20, maxBufferedBytes: 8 << 20, frameDeadlineMs: 2000
  }
  const a = await node(t, { keyring: new GossipKeyring(secret), limits })
  const socks: Socket[] = []
  t.teardown(() => { for (const s of socks) s.destroy() })
  for (let i = 0; i < 20; i++) socks.push(await slowStream(a.addr, 3 << 20))
  await waitUntil('memory limit', () => a.tr.rejected.memory_limit === 18)
  t.ok(a.tr.streamBufferedBytes <= 8 << 20, `buffered ${a.tr.streamBufferedBytes}`)
  t.equal(a.tr.streamBufferedBytes, 2 * ((3 << 20) + 6))
})

t.test('an oversized announced frame ends the connection at once', async t => {
  const a = await node(t, { limits: { maxFrameBytes: 1 << 20 } })
  const s = await slowStream(a.addr, 0xffffffff)
  t.teardown(() => s.destroy())
  await waitUntil('oversized', () => a.tr.rejected.oversized === 1)
  t.equal(a.tr.streamBufferedBytes, 0)
})

t.test('frames split byte by byte and frames back to back in one write arrive intact', async t => {
  const a = await node(t)
  const [host, port] = a.addr.split(':')
  const f1 = frame(0x4c47, randomBytes(3000))
  const f2 = frame(0x4c49, randomBytes(10))
  const s = connect({ host, port: Number(port) })
  t.teardown(() => s.destroy())
  await new Promise((resolve) => s.on('connect', resolve))
  for (let i = 0; i < 40; i++) { s.write(f1.subarray(i, i + 1)); await sleep(1) }
  s.write(Buffer.concat([f1.subarray(40), f2, f1]))
  await waitUntil('3 frames', () => a.got.length === 3)
  t.ok(a.got[0].frame.equals(f1) && a.got[1].frame.equals(f2) && a.got[2].frame.equals(f1))
})

t.test('a stream that ends inside a frame is counted as truncated (found by fuzzing: it was dropped uncounted)',
  async t => {
    const a = await node(t)
    const [host, port] = a.addr.split(':')
    const whole = frame(0x4c47, randomBytes(100))
    for (const cut of [whole.subarray(0, 3), whole.subarray(0, 50)]) {
      const s = connect({ host, port: Number(port) })
      await new Promise((resolve) => s.on('connect', resolve))
      s.end(cut)
      await new Promise((resolve) => s.on('close', resolve))
    }
    await waitUntil('2 truncated', () => a.tr.rejected.truncated === 2)
    t.equal(a.tr.streamBufferedBytes, 0, 'no buffer held')
    // A whole frame then a clean end is no drop; an oversized one is counted once, not twice.
    const ok = connect({ host, port: Number(port) })
    await new Promise((resolve) => ok.on('connect', resolve))
    ok.end(whole)
    await waitUntil('the whole frame', () => a.got.length === 1)
    await sleep(50)
    t.equal(a.tr.rejected.truncated, 2)
  })

t.test('a handler that throws is counted and reported, and the listener keeps going', async t => {
  const reports: string[] = []
  const port = 20000 + Math.floor(Math.random() * 30000)
  const tr = new GossipTransport({
    logger, reportRemoteError: (from, err) => reports.push(`${from} ${(err as Error).message}`)
  }, { address: '127.0.0.1', port })
  let calls = 0
  tr.onFrame(() => { calls++; throw new Error('boom') })
  await tr.start()
  t.teardown(() => tr.stop())
  const peer = await node(t)
  peer.tr.sendDatagram(`127.0.0.1:${port}`, body)
  peer.tr.sendDatagram(`127.0.0.1:${port}`, body)
  await waitUntil('two handler errors', () => tr.rejected.handler_error === 2)
  t.equal(calls, 2)
  t.match(reports[0], /boom/)
})
