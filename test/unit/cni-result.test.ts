import t from 'tap'
import { addressFromPrevResult, buildAddResult } from '../../cni/result'

const ours = {
  hostVeth: 'lxc0123456789a',
  hostMAC: '02:00:00:00:00:01',
  ifname: 'eth0',
  podMAC: '02:00:00:00:00:02',
  mtu: 1460,
  sandbox: '/var/run/netns/p',
  address: '10.244.1.5',
  gateway: '169.254.1.1'
}

t.test('1.1.0 result: interfaces with mtu and sandbox, ips with interface index, routes, dns', async (t) => {
  t.same(buildAddResult('1.1.0', ours), {
    cniVersion: '1.1.0',
    interfaces: [{ name: 'lxc0123456789a', mac: '02:00:00:00:00:01', mtu: 1460 },
      { name: 'eth0', mac: '02:00:00:00:00:02', mtu: 1460, sandbox: '/var/run/netns/p' }],
    ips: [{ address: '10.244.1.5/32', gateway: '169.254.1.1', interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: '169.254.1.1' }],
    dns: {},
  })
})

t.test('1.0.0 result: no mtu, no version', async (t) => {
  const r = buildAddResult('1.0.0', { ...ours, dns: { nameservers: ['10.96.0.10'] } })
  t.same(r.interfaces,
    [{ name: 'lxc0123456789a', mac: '02:00:00:00:00:01' },
      { name: 'eth0', mac: '02:00:00:00:00:02', sandbox: '/var/run/netns/p' }])
  t.same(r.ips, [{ address: '10.244.1.5/32', gateway: '169.254.1.1', interface: 1 }])
  t.same(r.dns, { nameservers: ['10.96.0.10'] })
})

t.test('0.4.0 result: ips carry version "4"', async (t) => {
  const r = buildAddResult('0.4.0', ours)
  t.same(r.ips, [{ version: '4', address: '10.244.1.5/32', gateway: '169.254.1.1', interface: 1 }])
  t.equal(r.cniVersion, '0.4.0')
})

t.test('merged with prevResult: indexes shift, prev entries first, prev dns kept', async (t) => {
  const prev = {
    cniVersion: '1.1.0',
    interfaces: [{ name: 'other', sandbox: '' }],
    ips: [{ address: '192.168.0.2/24', interface: 0, version: '4' }],
    routes: [{ dst: '192.168.0.0/16', scope: 253 }],
    dns: { domain: 'x' }
  }
  const r = buildAddResult('1.1.0', ours, prev)
  t.equal(r.interfaces?.length, 3)
  t.same(r.ips,
    [{ address: '192.168.0.2/24', interface: 0 }, { address: '10.244.1.5/32', gateway: '169.254.1.1', interface: 2 }],
    'version dropped for 1.1.0')
  t.same(r.routes, [{ dst: '192.168.0.0/16', scope: 253 }, { dst: '0.0.0.0/0', gw: '169.254.1.1' }])
  t.same(r.dns, { domain: 'x' })
  t.same(buildAddResult('1.0.0', ours, prev).routes?.[0], { dst: '192.168.0.0/16' }, '1.0.0 drops route scope')
})

t.test('addressFromPrevResult finds the sandbox interface address', async (t) => {
  const r = buildAddResult('1.1.0', ours)
  t.equal(addressFromPrevResult(r as unknown as Record<string, unknown>, 'eth0'), '10.244.1.5')
  t.equal(addressFromPrevResult(r as unknown as Record<string, unknown>, 'eth1'), undefined)
  t.equal(addressFromPrevResult(undefined, 'eth0'), undefined)
})
