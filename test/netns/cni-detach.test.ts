/**
 * DEL answers once the host veth is out of service; its deletion follows (cni/veth-reaper.ts).
 *
 * 1. On the real kernel (fixtures/veth-detach-child.ts, in a node namespace of its own, the
 *    reaper's deletion held back): a detached veth is down, in the reap group, without its host
 *    /32 route, and nothing passes it either way; the same address wired onto another pod works
 *    while the old veth still exists, and the old pod still cannot use it; the deletion then
 *    leaves the new pod alone; the same attachment's ADD, while its old veth waits, deletes it
 *    (waiting for that) and wires again.
 * 2. Against loomd (static mode):
 *    - DEL then an immediate ADD of the same attachment, and DEL storms (five concurrent DELs of
 *      one attachment), round after round, beside a bystander pod: every call succeeds, the ADD
 *      ends with one host veth, up, and the pod's address; the bystander keeps its address and
 *      veth; no link is left in the reap group;
 *    - kill -9 with links left detached (a crash between a DEL's answer and the deletion, and
 *      between the detach and the release's write), then a restart: the links are gone, the
 *      answered DEL's address stays released and the unanswered one's is released by the
 *      runtime's retried DEL, each exactly once (the bystander keeps its own);
 *    - a clean stop right after DELs leaves nothing in the reap group.
 *
 *   pods "a", "b" ── veths ── node "dn" (fixture)       pods c*, x ── veths ── n1 (loomd) ── sw
 */
import t from 'tap'
import path from 'node:path'
import { AgentClient } from '../../cni/agent-client'
import { REAP_GROUP } from '../../cni/veth-reaper'
import { hostVethName } from '../../lib'
import { isRoot, NetnsLab, SKIP_NOT_ROOT, waitFor } from './lib/netns-lab'
import { LabNode, OverlayLab } from './lib/overlay-lab'
import { addressOf, execPlugin, PluginRun } from './fixtures/cni-exec'
import { listAttachments } from './fixtures/runtime-cni'

const CHILD = path.join(__dirname, 'fixtures', 'veth-detach-child.js')
const ROUNDS = 8
const nsPath = (ns: string): string => `/var/run/netns/${ns}`

if (!isRoot()) {
  t.plan(0, SKIP_NOT_ROOT)
} else {
  t.test('a detached veth carries nothing; its address can go to another pod before it is deleted', async (t) => {
    const lab = new NetnsLab('cnidet')
    t.teardown(() => lab.cleanup())
    const node = await lab.addNamespace('dn')
    const a = await lab.addNamespace('a')
    const b = await lab.addNamespace('b')
    await lab.execOk(node, ['ip', 'link', 'set', 'lo', 'up'])
    await lab.execOk(node, ['ip', 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd0p'])
    await lab.execOk(node, ['ip', 'link', 'set', 'd0p', 'up'])
    await lab.execOk(node, ['ip', 'link', 'set', 'd0', 'up'])
    await lab.execOk(node, ['ip', 'addr', 'add', '10.250.0.1/32', 'dev', 'd0'])
    const out = await lab.execOk(node, [process.execPath, CHILD, a, b], { timeoutMs: 60_000 })
    const got = JSON.parse(out) as Record<string, Record<string, unknown>>
    t.same(got.before, { nodeToPod: true, podToNode: true }, 'wired: both ways work')
    t.same(got.detached,
      { exists: true, up: false, hostRoutes: [], inGroup: true, nodeToPod: false, podToNode: false },
      'detached: still there, down, in the reap group, no host route, nothing passes either way')
    t.same(got.reused,
      { oldVethExists: true, nodeToAddress: true, podBToNode: true, podAToNode: false, rxA: 0, bReceived: true },
      'the address on pod b works while a\'s veth exists; a receives nothing and cannot reach the node')
    t.same(got.readded, { readd: 'ok', up: true, inGroup: false, podAToNode: true, podBToNode: true },
      'a\'s next ADD, while its old veth waits for deletion, replaced it and works; b is untouched')
    t.same(got.reaped, { others: [], aUp: true, bUp: true, nodeToAddress: true, nodeToSecond: true },
      'the held-back deletion then found nothing of theirs: both pods stay wired')
  })

  t.test('loomd: DEL then ADD of one attachment, DEL storms, kill -9 with links detached, clean stop', async (t) => {
    const lab = new NetnsLab('cnidel')
    t.teardown(() => lab.cleanup())
    const overlay = new OverlayLab(lab, { nodes: 1, podsPerNode: 0, encapsulation: 'udp', logLevel: 'warn' })
    await overlay.build()
    await overlay.startAll()
    const n1 = overlay.nodes[0] as LabNode
    const conf = { cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', apiSocket: n1.apiSocket }
    const agent = new AgentClient({ socketPath: n1.apiSocket })
    const cni = (command: 'ADD' | 'DEL', containerID: string, pod: string): Promise<PluginRun> =>
      execPlugin(n1.ns, 'loom-cni', { command, containerID, netns: nsPath(pod), ifname: 'eth0' }, conf, 30_000)
    const reapGroup = async (): Promise<string> =>
      (await lab.execOk(n1.ns, ['ip', '-o', 'link', 'show', 'group', String(REAP_GROUP)])).trim()
    const linkState = async (name: string): Promise<string> => {
      const r = await lab.exec(n1.ns, ['ip', '-o', 'link', 'show', name])
      return r.code !== 0 ? 'gone' : /[<,]UP[,>]/.test(r.stdout) ? 'up' : 'down'
    }

    const x = await lab.addNamespace('x')
    const bystander = await cni('ADD', 'bystander', x)
    const xAddress = addressOf(bystander)
    t.ok(xAddress, `bystander ADD: ${bystander.stdout}${bystander.stderr}`)

    const c = await lab.addNamespace('c')
    const veth = hostVethName('churn', 'eth0')
    let bad = 0
    for (let round = 0; round < ROUNDS; round++) {
      const add = await cni('ADD', 'churn', c)
      const address = addressOf(add)
      if (address === undefined) { bad++; t.fail(`round ${round}: ADD failed: ${add.stdout}${add.stderr}`); continue }
      // Half the rounds a storm of five DELs at once, the others one; then ADD at once.
      const dels = await Promise.all(Array.from({ length: round % 2 === 0 ? 5 : 1 }, () => cni('DEL', 'churn', c)))
      for (const d of dels) if (d.code !== 0) { bad++; t.fail(`round ${round}: DEL failed: ${d.stdout}${d.stderr}`) }
      const again = await cni('ADD', 'churn', c)
      const now = addressOf(again)
      if (now === undefined) { bad++; t.fail(`round ${round}: ADD right after DEL failed: ${again.stdout}${again.stderr}`); continue }
      const held = await agent.attachment({ containerID: 'churn', ifname: 'eth0' })
      if (held?.address !== now) { bad++; t.fail(`round ${round}: ADD reported ${now}, the agent holds ${held?.address ?? 'nothing'}`) }
      if (await linkState(veth) !== 'up') { bad++; t.fail(`round ${round}: the host veth after the ADD is ${await linkState(veth)}`) }
      const podAddrs = await lab.execOk(c, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])
      if (!podAddrs.includes(`${now}/32`)) { bad++; t.fail(`round ${round}: pod eth0 lacks ${now}: ${podAddrs}`) }
      const del = await cni('DEL', 'churn', c)
      if (del.code !== 0) { bad++; t.fail(`round ${round}: last DEL failed: ${del.stdout}`) }
    }
    t.equal(bad, 0, `${ROUNDS} rounds of ADD, DEL (storm or one), ADD at once, DEL: every call right`)

    // DEL and ADD started together: when the ADD runs second it finds the old veth detached and
    // not yet deleted (the runtimes' exec takes longer than the reap otherwise). Whichever ran
    // last decides: held with its veth up, or released with the veth gone.
    let addsAfterDel = 0
    for (let round = 0; round < ROUNDS; round++) {
      const first = await cni('ADD', 'churn', c)
      if (addressOf(first) === undefined) { bad++; t.fail(`pair ${round}: ADD failed: ${first.stdout}`); continue }
      const [del, add] = await Promise.all([cni('DEL', 'churn', c), cni('ADD', 'churn', c)])
      if (del.code !== 0 || add.code !== 0) { bad++; t.fail(`pair ${round}: DEL ${del.stdout} ADD ${add.stdout}`); continue }
      const held = await agent.attachment({ containerID: 'churn', ifname: 'eth0' })
      if (held !== null) {
        addsAfterDel++
        if (held.address !== addressOf(add)) { bad++; t.fail(`pair ${round}: ADD reported ${addressOf(add) ?? '?'}, held ${held.address}`) }
        if (await linkState(veth) !== 'up') { bad++; t.fail(`pair ${round}: held, but its host veth is ${await linkState(veth)}`) }
        const podAddrs = await lab.execOk(c, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])
        if (!podAddrs.includes(`${held.address}/32`)) { bad++; t.fail(`pair ${round}: pod eth0 lacks ${held.address}`) }
      } else {
        await waitFor('the released veth to be deleted', async () => await linkState(veth) === 'gone', 3000, 20).catch(() => {})
        if (await linkState(veth) !== 'gone') { bad++; t.fail(`pair ${round}: released, but its host veth is still there`) }
      }
      if ((await cni('DEL', 'churn', c)).code !== 0) { bad++; t.fail(`pair ${round}: last DEL failed`) }
    }
    t.equal(bad, 0, `${ROUNDS} rounds of DEL and ADD at once: held with its veth up, or released with it gone`)
    t.comment(`the ADD ran after the DEL in ${addsAfterDel} of ${ROUNDS} pairs`)
    t.equal((await agent.attachment({ containerID: 'bystander', ifname: 'eth0' }))?.address, xAddress,
      'the bystander keeps its address')
    t.equal(await linkState(hostVethName('bystander', 'eth0')), 'up', 'and its veth')
    await waitFor('the reap group to empty', async () => (await reapGroup()) === '', 5000, 50).catch(() => {})
    t.equal(await reapGroup(), '', 'nothing left in the reap group')

    // A crash with links detached: p is DEL'd and answered, q's DEL detached its veth and died before
    // its release was written. kill -9 cannot be timed into those windows, so after the kill the
    // test leaves each link as the detach does (down, in the reap group), which is all the kernel
    // keeps of it.
    const p = await lab.addNamespace('p')
    const q = await lab.addNamespace('q')
    const pAdd = await cni('ADD', 'answered', p)
    const qAdd = await cni('ADD', 'unanswered', q)
    t.ok(addressOf(pAdd) !== undefined && addressOf(qAdd) !== undefined, 'two more pods')
    t.equal((await cni('DEL', 'answered', p)).code, 0, 'DEL of p answered')
    await overlay.stopDaemon(n1, 'SIGKILL')
    const pVeth = hostVethName('answered', 'eth0')
    const qVeth = hostVethName('unanswered', 'eth0')
    if (await linkState(pVeth) === 'gone') {
      await lab.execOk(n1.ns, ['ip', 'link', 'add', pVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p])
    }
    for (const v of [pVeth, qVeth]) {
      await lab.execOk(n1.ns, ['ip', 'link', 'set', v, 'down', 'group', String(REAP_GROUP)])
    }
    t.match(await reapGroup(), new RegExp(`${pVeth}[\\s\\S]*${qVeth}|${qVeth}[\\s\\S]*${pVeth}`),
      'both links wait in the reap group while loomd is down')
    overlay.startDaemon(n1)
    await overlay.waitReady(n1)
    await waitFor('the restarted loomd to delete the detached links', async () => (await reapGroup()) === '', 5000, 50)
      .catch(() => {})
    t.equal(await reapGroup(), '', 'the restart deleted the links left detached')
    t.equal(await linkState(pVeth), 'gone')
    t.equal(await linkState(qVeth), 'gone')
    t.equal((await lab.exec(p, ['ip', 'link', 'show', 'eth0'])).code !== 0, true, 'p\'s eth0 went with its pair')
    t.equal(await agent.attachment({ containerID: 'answered', ifname: 'eth0' }), null,
      'the answered DEL\'s release survived the crash')
    t.equal((await agent.attachment({ containerID: 'unanswered', ifname: 'eth0' }))?.address, addressOf(qAdd),
      'the unanswered DEL\'s address is still held: its release never reached the disk')
    t.equal((await cni('DEL', 'unanswered', q)).code, 0, 'the runtime\'s retried DEL succeeds without the veth')
    t.equal(await agent.attachment({ containerID: 'unanswered', ifname: 'eth0' }), null, 'and releases it')
    const list = (await listAttachments(n1.apiSocket)).map((h) => `${h.containerID} ${h.address}`)
    t.same(list, [`bystander ${xAddress!}`], 'only the bystander is held, with its address: nothing released twice')
    const reuse = await cni('ADD', 'answered-next', p)
    t.equal(reuse.code, 0, `a new pod in p: ${reuse.stdout}${reuse.stderr}`)
    t.notOk([xAddress].includes(addressOf(reuse)), 'it does not get the bystander\'s address')

    // A clean stop right after DELs waits for their deletion.
    t.equal((await cni('DEL', 'answered-next', p)).code, 0)
    t.equal((await cni('DEL', 'bystander', x)).code, 0)
    await overlay.stopDaemon(n1)
    t.equal(await reapGroup(), '', 'a clean stop left nothing in the reap group')
  })
}
