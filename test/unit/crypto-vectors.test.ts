/**
 * The handshake and the AEAD against published vectors, not only against themselves:
 *   - Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s from the cacophony vector set (fixture
 *     test/unit/vectors/noise-ikpsk2-cacophony.json, its source named inside): both handshake
 *     messages byte for byte, the handshake hash, the split into transport keys, and the four
 *     transport messages after it through both transport AEADs (node:crypto and the native
 *     one), which checks WireGuard's nonce layout (4 zero bytes ‖ 64-bit little-endian counter);
 *   - ChaCha20-Poly1305, RFC 8439 §2.8.2 (ciphertext and tag), through the primitive the
 *     handshake uses.
 * WireGuard's handshake is this Noise handshake with the prologue "WireGuard v1 zx2c4
 * Jason@zx2c4.com", a TAI64N timestamp as the first payload and an empty second payload
 * (dataplane/crypto/handshake.ts); the vector uses another prologue and other payloads, so it
 * exercises the same code with nothing WireGuard-specific to hide a mistake behind.
 * Hostile variants: a flipped bit, a wrong prologue, a wrong psk are refused.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  readNoiseInitiation, readNoiseResponse, writeNoiseInitiation, writeNoiseResponse,
} from '../../dataplane/crypto/handshake'
import { aeadOpen, aeadSeal, chachaOpen, chachaSeal, keyPairFromPrivate } from '../../dataplane/crypto/primitives'
import { nativeAead, nodeCryptoAead } from '../../dataplane/crypto/transport-aead'

interface NoiseVector {
  protocol_name: string
  init_prologue: string
  init_psks: string[]
  init_static: string
  init_ephemeral: string
  init_remote_static: string
  resp_prologue: string
  resp_psks: string[]
  resp_static: string
  resp_ephemeral: string
  handshake_hash: string
  messages: Array<{ payload: string, ciphertext: string }>
}

const FIXTURE = resolve(__dirname, '..', '..', '..', 'test', 'unit', 'vectors', 'noise-ikpsk2-cacophony.json')
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { source: string, vectors: NoiseVector[] }
const h = (s: string): Buffer => Buffer.from(s, 'hex')
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const EMPTY = Buffer.alloc(0)

t.test('the fixture names its source and holds the IKpsk2 BLAKE2s vector', async t => {
  t.match(fixture.source, /cacophony/)
  t.equal(fixture.vectors.length, 1)
  t.equal(fixture.vectors[0].protocol_name, 'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s')
})

const v = fixture.vectors[0]

t.test('Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s: both handshake messages, hash and transport, byte for byte', async t => {
  const iStatic = keyPairFromPrivate(h(v.init_static))
  const iEph = keyPairFromPrivate(h(v.init_ephemeral))
  const rStatic = keyPairFromPrivate(h(v.resp_static))
  const rEph = keyPairFromPrivate(h(v.resp_ephemeral))
  t.equal(hex(rStatic.publicKey), v.init_remote_static, 'the initiator knows the responder\'s static key')
  const [m0, m1, ...transport] = v.messages

  const w0 = writeNoiseInitiation(iStatic, h(v.init_remote_static), iEph, h(m0.payload), h(v.init_prologue))
  t.equal(hex(w0!.bytes), m0.ciphertext, 'message 1 (-> e, es, s, ss, {payload})')
  const r0 = readNoiseInitiation(rStatic, h(m0.ciphertext), h(v.resp_prologue))
  t.equal(hex(r0!.payload), m0.payload, 'the responder reads its payload')
  t.equal(hex(r0!.remoteStatic), hex(iStatic.publicKey), '... and learns the initiator\'s static key')

  const w1 = writeNoiseResponse(r0!, rEph, h(v.resp_psks[0]), h(m1.payload))
  t.equal(hex(w1!.bytes), m1.ciphertext, 'message 2 (<- e, ee, se, psk, {payload})')
  t.equal(hex(w1!.hash), v.handshake_hash, 'the responder\'s handshake hash')
  const r1 = readNoiseResponse(iStatic, { hash: w0!.hash, chainKey: w0!.chainKey, ephemeral: iEph },
    h(m1.ciphertext), v.init_psks.map(h))
  t.equal(hex(r1!.payload), m1.payload, 'the initiator reads its payload')
  t.equal(hex(r1!.hash), v.handshake_hash, 'the initiator\'s handshake hash')
  t.equal(hex(r1!.keys.sendKey), hex(w1!.keys.recvKey), 'split: initiator send = responder receive')
  t.equal(hex(r1!.keys.recvKey), hex(w1!.keys.sendKey), 'split: initiator receive = responder send')

  // After the handshake the messages alternate, initiator first; each direction counts from 0.
  const aeads = [nodeCryptoAead(), nativeAead()].filter((a) => a !== undefined)
  t.equal(aeads.length, 2, 'the native AEAD is built')
  for (const [i, m] of transport.entries()) {
    const fromInitiator = i % 2 === 0
    const key = fromInitiator ? r1!.keys.sendKey : w1!.keys.sendKey
    const counter = Math.floor(i / 2)
    t.equal(hex(aeadSeal(key, counter, h(m.payload), EMPTY)), m.ciphertext, `transport message ${i + 3}`)
    const receiveKey = fromInitiator ? w1!.keys.recvKey : r1!.keys.recvKey
    t.equal(hex(aeadOpen(receiveKey, counter, h(m.ciphertext), EMPTY) ?? EMPTY), m.payload)
    for (const a of aeads) {
      const buf = Buffer.alloc(8 + h(m.payload).length + 16 + 8)
      h(m.payload).copy(buf, 8)
      t.ok(a!.seal(key, buf, 8, h(m.payload).length, counter))
      t.equal(hex(buf.subarray(8, 8 + h(m.ciphertext).length)), m.ciphertext, `${a!.name} AEAD, message ${i + 3}`)
      t.ok(a!.open(receiveKey, buf, 8, h(m.ciphertext).length, counter), `${a!.name} opens it`)
    }
  }
})

t.test('the vector with one thing wrong is refused', async t => {
  const iStatic = keyPairFromPrivate(h(v.init_static))
  const iEph = keyPairFromPrivate(h(v.init_ephemeral))
  const rStatic = keyPairFromPrivate(h(v.resp_static))
  const [m0, m1] = v.messages
  for (let i = 0; i < h(m0.ciphertext).length; i += 7) {
    const bad = h(m0.ciphertext); bad[i] ^= 0x40
    t.equal(readNoiseInitiation(rStatic, bad, h(v.resp_prologue)), null, `message 1, byte ${i} flipped`)
  }
  t.equal(readNoiseInitiation(rStatic, h(m0.ciphertext), Buffer.from('John Gal')), null, 'another prologue')
  t.equal(readNoiseInitiation(rStatic, h(m0.ciphertext).subarray(0, 95), h(v.resp_prologue)), null, 'truncated')
  t.equal(readNoiseInitiation(iStatic, h(m0.ciphertext), h(v.resp_prologue)), null, 'addressed to someone else')
  const w0 = writeNoiseInitiation(iStatic, h(v.init_remote_static), iEph, h(m0.payload), h(v.init_prologue))!
  const state = { hash: w0.hash, chainKey: w0.chainKey, ephemeral: iEph }
  t.equal(readNoiseResponse(iStatic, state, h(m1.ciphertext), [Buffer.alloc(32)]), null, 'a wrong psk')
  const rotated = readNoiseResponse(iStatic, state, h(m1.ciphertext), [Buffer.alloc(32), h(v.init_psks[0])])
  t.equal(rotated?.pskIndex, 1, 'the right psk second (rotation) still completes, and says which')
  const bad = h(m1.ciphertext); bad[40] ^= 1
  t.equal(readNoiseResponse(iStatic, state, bad, v.init_psks.map(h)), null, 'message 2 with a flipped bit')
})

t.test('ChaCha20-Poly1305: RFC 8439 §2.8.2', async t => {
  const key = h('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
  const nonce = h('070000004041424344454647')
  const aad = h('50515253c0c1c2c3c4c5c6c7')
  const plain = Buffer.from('Ladies and Gentlemen of the class of \'99: If I could offer you only one tip for the ' +
    'future, sunscreen would be it.')
  const expected = 'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116' + '1ae10b594f09e26a7e902ecbd0600691'
  const sealed = chachaSeal(key, nonce, plain, aad)
  t.equal(hex(sealed), expected, 'ciphertext and tag')
  t.same(chachaOpen(key, nonce, sealed, aad), plain)
  const flipped = Buffer.from(sealed); flipped[sealed.length - 1] ^= 1
  t.equal(chachaOpen(key, nonce, flipped, aad), null, 'a flipped tag bit')
  t.equal(chachaOpen(key, nonce, sealed, h('50515253c0c1c2c3c4c5c6c6')), null, 'other additional data')
})
