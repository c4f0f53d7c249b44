import t from 'tap'
import {
  encapsulationKind, ENCAPSULATION_KINDS, isEncapsulationKind, UdpEncapsulation, VxlanEncapsulation,
} from '../../dataplane/encap'
import { parseConfig } from '../../agent/config'
import { deriveVtepMAC } from '../../dataplane/mac'

const settings = { underlay: { port: 6784 }, vxlan: { port: 4789, vni: 7 } }
const self = { index: 0x01020304, vtepMAC: deriveVtepMAC('node1') }

t.test('the registry lists every kind once, under its own name', async t => {
  t.same([...ENCAPSULATION_KINDS], ['udp', 'vxlan'])
  t.ok(Object.isFrozen(ENCAPSULATION_KINDS), 'the list cannot be changed from outside')
  for (const kind of ENCAPSULATION_KINDS) {
    const spec = encapsulationKind(kind)
    t.equal(spec.kind, kind, `${kind}: spec.kind is its registry name`)
    t.equal(spec.create(self, settings).kind, kind, `${kind}: the codec it builds says the same kind`)
  }
})

t.test('each kind chooses its port, source ports, codec and encryption rule', async t => {
  const udp = encapsulationKind('udp')
  t.equal(udp.dataPort(settings), 6784)
  t.equal(udp.extraSourcePorts, 0)
  t.equal(udp.encryptionRefused, undefined, 'udp may be replaced by the encrypted framing')
  t.type(udp.create(self, settings), UdpEncapsulation)
  const vxlan = encapsulationKind('vxlan')
  t.equal(vxlan.dataPort(settings), 4789)
  t.equal(vxlan.extraSourcePorts, 15)
  t.match(vxlan.encryptionRefused, /unencrypted/)
  const v = vxlan.create(self, settings)
  t.type(v, VxlanEncapsulation)
  t.equal((v as VxlanEncapsulation).vni, 7, 'vxlan.vni reaches the codec')
  t.throws(() => vxlan.create(self, { ...settings, vxlan: { port: 4789, vni: 1 << 24 } }), RangeError,
    'an absurd VNI is refused')
  t.throws(() => vxlan.create({ index: 1, vtepMAC: Buffer.alloc(5) }, settings), RangeError,
    'a short VTEP MAC is refused')
  t.throws(() => udp.create({ index: 0, vtepMAC: self.vtepMAC }, settings), RangeError, 'node index 0 is refused')
})

t.test('isEncapsulationKind accepts registered names only', async t => {
  for (const good of ['udp', 'vxlan']) t.ok(isEncapsulationKind(good), good)
  for (const bad of ['UDP', 'Vxlan', '', ' udp', 'gre', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
    undefined, null, 1, ['udp'], { toString: () => 'udp' }]) {
    t.notOk(isEncapsulationKind(bad), `refuses ${String(JSON.stringify(bad))}`)
  }
})

t.test('config validation takes the accepted kinds from the registry', async t => {
  const base = { nodeName: 'n1', underlay: { address: '198.18.0.1' }, clusterCIDR: '10.244.0.0/16' }
  for (const kind of ENCAPSULATION_KINDS) t.equal(parseConfig({ ...base, encapsulation: kind }).encapsulation, kind)
  for (const bad of ['__proto__', 'constructor', 'UDP']) {
    t.throws(() => parseConfig({ ...base, encapsulation: bad }),
      { field: 'encapsulation', message: /expected "udp" or "vxlan"/ }, bad)
  }
  t.equal(parseConfig({ ...base, encapsulation: 'vxlan', vxlan: { port: 8472 }, peers: [] }).vxlan.port, 8472)
})
