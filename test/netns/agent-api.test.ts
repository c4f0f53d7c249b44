/**
 * The agent's local API as the CNI plugin uses it, against a real loomd (static mode):
 * ADD is idempotent per attachment, DEL repeats fine, GC releases what is not listed, bad input
 * gets 400 with a message, and allocations survive `kill -9` of the daemon (persisted before
 * they are reported) without any address being handed out twice, as do their creation times
 * (the `cniAttachments` section of <stateDir>/pod-addresses.json, which GC's grace period
 * reads; the grace is 0 here, so GC releases at once; test/unit/local-hardening.test.ts checks
 * the grace on this endpoint).
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { isRoot, NetnsLab, SKIP_NOT_ROOT } from './lib/netns-lab'
import { OverlayLab } from './lib/overlay-lab'

function api (socketPath: string, method: string, path: string, body?: unknown): Promise<{
  status: number; body: any
}> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end',
        () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

t.test('CNI endpoints of the agent API, and kill -9', { skip: isRoot() ? false : SKIP_NOT_ROOT }, async (t) => {
  const lab = new NetnsLab('api')
  t.teardown(() => lab.cleanup())
  const overlay = new OverlayLab(lab, { nodes: 2, podsPerNode: 0, encapsulation: 'udp', writeConflist: true, cniGcGraceSeconds: 0 })
  await overlay.build()
  await overlay.startAll()
  const node = overlay.nodes[0]
  const sock = node.apiSocket

  t.same((await api(sock, 'GET', '/v1/ready')).body.ready, true, 'ready')
  const conflist = JSON.parse(readFileSync(lab.file('cni-node1/10-loom.conflist'), 'utf8')) as {
    name: string; plugins: Array<Record<string, unknown>>
  }
  t.equal(conflist.name, 'loom', 'the agent wrote its conflist once ready')
  t.match(conflist.plugins[0], { type: 'loom-cni', apiSocket: sock, mtu: 1460 })
  const a1 = await api(sock, 'POST', '/v1/cni/add',
    { containerID: 'c1', ifname: 'eth0', podName: 'p1', podNamespace: 'default' })
  t.equal(a1.status, 200)
  t.match(a1.body,
    { containerID: 'c1', ifname: 'eth0', gateway: '169.254.1.1', mtu: 1460, podCIDR: '10.244.1.0/24', podName: 'p1' })
  t.match(a1.body.address, /^10\.244\.1\.\d+$/)
  t.not(a1.body.address, '10.244.1.0', 'the overlay address is never handed out')
  t.match(a1.body.hostVeth, /^lxc[0-9a-f]{11}$/)
  const again = await api(sock, 'POST', '/v1/cni/add', { containerID: 'c1', ifname: 'eth0' })
  t.equal(again.body.address, a1.body.address, 'a retried ADD gets the same address')
  const other = await api(sock, 'POST', '/v1/cni/add', { containerID: 'c1', ifname: 'net1' })
  t.not(other.body.address, a1.body.address, 'another ifname is another attachment')

  const bad = await api(sock, 'POST', '/v1/cni/add', { containerID: '-bad', ifname: 'eth0' })
  t.equal(bad.status, 400)
  t.match(bad.body.error.message, /containerID "-bad"/)
  t.equal((await api(sock, 'GET', '/v1/cni/nope')).status, 404)
  t.equal((await api(sock, 'GET', '/v1/cni/add')).status, 405)

  // 50 allocations, then kill -9: every reported address is still held after the restart.
  const reported = new Map<string, string>()
  for (let i = 0; i < 50; i++) {
    const r = await api(sock, 'POST', '/v1/cni/add', { containerID: `k${i}`, ifname: 'eth0' })
    reported.set(`k${i}`, r.body.address)
  }
  t.equal(new Set(reported.values()).size, 50, '50 distinct addresses')
  const killedAt = Date.now()
  await overlay.stopDaemon(node, 'SIGKILL')
  overlay.startDaemon(node)
  await overlay.waitReady(node)
  // The attachment ledger is a section of the address file (cni/attachment-ledger.ts).
  const ledger = (JSON.parse(readFileSync(lab.file(`state-${node.name}/pod-addresses.json`), 'utf8')) as {
    cniAttachments: { attachments: Array<{ containerID: string, createdAt: number }> }
  }).cniAttachments
  const created = new Map(ledger.attachments.map((a) => [a.containerID, a.createdAt]))
  t.ok([...reported.keys()].every((cid) => (created.get(cid) ?? Infinity) <= killedAt),
    'every allocation\'s creation time from before kill -9 is on disk')
  for (const [cid, address] of reported) {
    const r = await api(sock, 'GET', `/v1/cni/attachment?containerID=${cid}&ifname=eth0`)
    if (r.body?.address !== address) t.fail(`${cid} lost its address after kill -9`)
  }
  t.pass('every allocation survived kill -9')
  const fresh = await api(sock, 'POST', '/v1/cni/add', { containerID: 'after', ifname: 'eth0' })
  t.notOk([...reported.values(), a1.body.address, other.body.address].includes(fresh.body.address),
    'no address reused after restart')

  // DEL twice, GC releases the rest except the valid ones.
  t.same((await api(sock, 'POST', '/v1/cni/del', { containerID: 'c1', ifname: 'eth0' })).body.released, true)
  t.same((await api(sock, 'POST', '/v1/cni/del', { containerID: 'c1', ifname: 'eth0' })).body.released, false,
    'second DEL is a no-op')
  t.equal((await api(sock, 'GET', '/v1/cni/attachment?containerID=c1&ifname=eth0')).status, 404)
  const gc = await api(sock, 'POST', '/v1/cni/gc', { valid: [{ containerID: 'k0', ifname: 'eth0' }] })
  t.equal(gc.body.released.length, 51, 'GC released all but the valid attachment')
  const left = await api(sock, 'GET', '/v1/cni/attachments')
  t.same(left.body.map((r: { containerID: string }) => r.containerID), ['k0'])
})
