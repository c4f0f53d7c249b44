/**
 * The CNI commands as the agent runs them (cni/commands.ts), with the namespace work and the
 * address book replaced by in-memory fakes: rollback on a failed ADD (only what the ADD made),
 * DEL order, GC (needs the valid list, spares young and busy attachments), STATUS codes, and
 * the per-attachment serialisation that keeps a reported address recorded.
 */
import t from 'tap'
import { CniCommands, CniAddresses, CniHooks, HeldAttachment, PodWiring } from '../../cni/commands'
import { TryAgainError, UnknownContainerError, WiringError } from '../../cni/errors'
import { hostVethName } from '../../lib'

interface Fakes {
  log: string[]
  held: Map<string, HeldAttachment>
  ready: { ready: boolean, checks: Record<string, boolean> }
  now: number
  cni: CniCommands
}

function fakes (opts: {
  wiring?: Partial<PodWiring>,
  grace?: number,
  hostVeths?: string[],
  hooks?: CniHooks,
  durable?: () => Promise<void>,
  stages?: Array<{ command: string, stages: Record<string, number> }>
} = {}): Fakes {
  const log: string[] = []
  const held = new Map<string, HeldAttachment>()
  let next = 5
  const f = { log, held, ready: { ready: true, checks: { dataplane: true } }, now: 1_000_000 } as unknown as Fakes
  const addresses: CniAddresses = {
    readiness: () => f.ready,
    network: () => ({ gateway: '169.254.1.1', mtu: 1460 }),
    allocate: async (id) => {
      const key = `${id.containerID}/${id.ifname}`
      let h = held.get(key)
      if (h === undefined) {
        h = { ...id, address: `10.244.1.${next++}`, hostVeth: hostVethName(id.containerID, id.ifname) }
        held.set(key, h)
        log.push(`alloc ${key} ${h.address}`)
      }
      return h
    },
    get: (id) => held.get(`${id.containerID}/${id.ifname}`),
    release: (id) => {
      const key = `${id.containerID}/${id.ifname}`
      const h = held.get(key) ?? null
      held.delete(key)
      if (h !== null) log.push(`release ${key}`)
      return h
    },
    list: () => [...held.values()],
    durable: async () => { await (opts.durable?.() ?? Promise.resolve()) },
  }
  const wiring: PodWiring = {
    openNetns: (p) => {
      if (p.includes('missing')) throw new UnknownContainerError(`network namespace ${p} does not exist: ENOENT`); return 42
    },
    closeNetns: () => {},
    wirePod: async (s) => {
      log.push(`wire ${s.hostVeth} ${s.address} mtu ${s.mtu}`); return {
        hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02'
      }
    },
    detachHostVeth: async (n) => { log.push(`delveth ${n}`) },
    checkPod: async () => { log.push('check') },
    listHostVeths: async () => opts.hostVeths ?? [],
    ...opts.wiring,
  }
  f.cni = new CniCommands({
    addresses,
    wiring,
    ...(opts.hooks !== undefined ? { hooks: opts.hooks } : {}),
    log: () => {},
    clock: () => f.now,
    observeStages: (command, st) => { opts.stages?.push({ command, stages: Object.fromEntries(st) }) },
  }, { gcGraceMs: opts.grace ?? 0, readyWaitMs: 300 })
  return f
}

const env = (command: string, extra: Record<string,
  string> = {}) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: 'c1',
  CNI_IFNAME: 'eth0',
  CNI_NETNS: '/var/run/netns/p',
  CNI_PATH: '/opt/cni/bin',
  ...extra
})
const conf = (extra: Record<string,
  unknown> = {}) => JSON.stringify({ cniVersion: '1.1.0', name: 'loom', type: 'loom-cni', ...extra })
const veth = hostVethName('c1', 'eth0')
const gcConf = (valid: Array<{ containerID: string, ifname: string }>) => conf({ 'cni.dev/valid-attachments': valid })

t.test('ADD: allocates, wires, prints the result', async (t) => {
  const f = fakes()
  const out = await f.cni.run(env('ADD', { CNI_ARGS: 'K8S_POD_NAME=web;K8S_POD_NAMESPACE=ns' }), conf({ mtu: 1400 }))
  t.equal(out.exitCode, 0)
  t.equal(out.command, 'ADD')
  // A host veth left by an earlier ADD is replaced inside wirePod (cni/wiring.ts createPair), not deleted up front.
  t.same(f.log, ['alloc c1/eth0 10.244.1.5', `wire ${veth} 10.244.1.5 mtu 1400`])
  t.same(JSON.parse(out.stdout).ips, [{ address: '10.244.1.5/32', gateway: '169.254.1.1', interface: 1 }])
})

t.test('the podAdded hook sees the pod identity and can fail the ADD', async (t) => {
  const seen: unknown[] = []
  const f = fakes({
    hooks: {
      podAdded: async (pod) => {
        seen.push(pod); if (pod.podName === 'bad') throw new TryAgainError('policy not ready')
      }
    },
  })
  const cni = f.cni
  const ok = await cni.run(env('ADD', { CNI_ARGS: 'K8S_POD_NAME=web;K8S_POD_NAMESPACE=ns' }), conf())
  t.equal(ok.exitCode, 0)
  t.match(seen[0],
    {
      containerID: 'c1',
      ifname: 'eth0',
      podName: 'web',
      podNamespace: 'ns',
      hostVeth: veth,
      address: '10.244.1.5',
      args: { K8S_POD_NAME: 'web' }
    })
  const bad = await cni.run(env('ADD', { CNI_CONTAINERID: 'c2', CNI_ARGS: 'K8S_POD_NAME=bad' }), conf())
  t.equal(JSON.parse(bad.stdout).code, 11)
  t.equal(f.held.has('c2/eth0'), false, 'the failed ADD released the address it allocated')
})

t.test('ADD failure rolls back what this ADD made: veth deleted and address released', async (t) => {
  const f = fakes({ wiring: { wirePod: async () => { throw new WiringError('failed to create veth pair: EEXIST') } } })
  const out = await f.cni.run(env('ADD'), conf())
  t.equal(out.exitCode, 1)
  t.same(JSON.parse(out.stdout), { cniVersion: '1.1.0', code: 100, msg: 'failed to create veth pair: EEXIST' })
  t.same(f.log, ['alloc c1/eth0 10.244.1.5', `delveth ${veth}`, 'release c1/eth0'])
  t.equal(out.cniCode, 100)
})

t.test('a failed retry of ADD never releases the address an earlier ADD reported', async (t) => {
  let fail = false
  const f = fakes({
    wiring: {
      wirePod: async () => {
        if (fail) throw new WiringError('boom'); return { hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02' }
      }
    }
  })
  t.equal((await f.cni.run(env('ADD'), conf())).exitCode, 0)
  fail = true
  t.equal((await f.cni.run(env('ADD'), conf())).exitCode, 1)
  t.ok(f.held.has('c1/eth0'), 'the address reported by the first ADD is still held')
  t.notOk(f.log.includes('release c1/eth0'))
})

t.test('three concurrent ADDs of one attachment run one after another and all hold one record', async (t) => {
  let inFlight = 0
  let maxInFlight = 0
  const f = fakes({
    wiring: {
      wirePod: async () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
        return { hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02' }
      },
    },
  })
  const outs = await Promise.all([0, 1, 2].map(() => f.cni.run(env('ADD'), conf())))
  t.same(outs.map((o) => o.exitCode), [0, 0, 0])
  t.equal(maxInFlight, 1, 'never two wirings of one attachment at once')
  t.same(new Set(outs.map((o) => JSON.parse(o.stdout).ips[0].address)), new Set(['10.244.1.5/32']))
  // Different attachments do run in parallel.
  maxInFlight = 0
  await Promise.all([1, 2, 3].map((i) => f.cni.run(env('ADD', { CNI_CONTAINERID: `p${i}` }), conf())))
  t.ok(maxInFlight > 1, `attachments wired in parallel (max ${maxInFlight})`)
})

t.test('ADD into a namespace that does not exist: 3, nothing allocated', async (t) => {
  const f = fakes()
  const out = await f.cni.run(env('ADD', { CNI_NETNS: '/var/run/netns/missing' }), conf())
  t.equal(JSON.parse(out.stdout).code, 3)
  t.same(f.log, [])
})

t.test('ADD while the agent is not ready: 11 after a bounded wait', async (t) => {
  const f = fakes()
  f.ready = { ready: false, checks: { dataplane: true, ipam: false } }
  const started = Date.now()
  const out = await f.cni.run(env('ADD'), conf())
  t.equal(JSON.parse(out.stdout).code, 11)
  t.ok(Date.now() - started < 2000)
})

t.test('DEL: veth first, then release; success when nothing is held', async (t) => {
  const f = fakes()
  const out = await f.cni.run(env('DEL', { CNI_NETNS: '' }), conf())
  t.same({ stdout: out.stdout, exitCode: out.exitCode }, { stdout: '', exitCode: 0 })
  t.same(f.log, [`delveth ${veth}`])
  await f.cni.run(env('ADD'), conf())
  f.log.length = 0
  t.equal((await f.cni.run(env('DEL'), conf())).exitCode, 0)
  t.same(f.log, [`delveth ${veth}`, 'release c1/eth0'])
})

t.test('DEL releases only once the host veth is out of service; a failed detach releases nothing and a retried DEL does', async (t) => {
  let detached: (() => void) | undefined
  let refuse = false
  const f = fakes({
    wiring: {
      detachHostVeth: async (n) => {
        if (refuse) throw new WiringError(`failed to take host veth ${n} out of service: EBUSY`)
        await new Promise<void>((resolve) => { detached = resolve })
        f.log.push(`detached ${n}`)
      },
    },
  })
  await f.cni.run(env('ADD'), conf())
  f.log.length = 0
  let answered = false
  const del = f.cni.run(env('DEL'), conf()).then((o) => { answered = true; return o })
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  t.same(f.log, [], 'nothing released while the veth may still carry the address')
  t.ok(f.held.has('c1/eth0'))
  t.equal(answered, false)
  detached!()
  t.equal((await del).exitCode, 0)
  t.same(f.log, [`detached ${veth}`, 'release c1/eth0'], 'detached, then released')
  await f.cni.run(env('ADD'), conf())
  f.log.length = 0
  refuse = true
  const failed = await f.cni.run(env('DEL'), conf())
  t.equal(failed.exitCode, 1)
  t.match(JSON.parse(failed.stdout), { code: 100, msg: /out of service: EBUSY/ })
  t.ok(f.held.has('c1/eth0'), 'a DEL whose detach failed released nothing')
  t.same(f.log, [])
  refuse = false
  detached = undefined
  const retried = f.cni.run(env('DEL'), conf())
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  detached!()
  t.equal((await retried).exitCode, 0)
  t.notOk(f.held.has('c1/eth0'), 'the retried DEL released it')
})

t.test('a failed ADD whose veth cannot be taken out of service keeps its address for the runtime\'s DEL', async (t) => {
  let refuse = true
  const f = fakes({
    wiring: {
      wirePod: async () => { throw new WiringError('boom') },
      detachHostVeth: async (n) => {
        if (refuse) throw new WiringError(`failed to take host veth ${n} out of service: EBUSY`)
        f.log.push(`delveth ${n}`)
      },
    },
  })
  const out = await f.cni.run(env('ADD'), conf())
  t.equal(out.exitCode, 1)
  t.ok(f.held.has('c1/eth0'), 'not released while its veth may be up')
  refuse = false
  t.equal((await f.cni.run(env('DEL'), conf())).exitCode, 0)
  t.notOk(f.held.has('c1/eth0'), 'the DEL that follows a failed ADD releases it')
  t.same(f.log, ['alloc c1/eth0 10.244.1.5', `delveth ${veth}`, 'release c1/eth0'])
})

t.test('CHECK compares prevResult with the agent record', async (t) => {
  const f = fakes()
  await f.cni.run(env('ADD'), conf())
  const prev = {
    cniVersion: '1.1.0',
    interfaces: [{ name: veth }, { name: 'eth0', sandbox: '/var/run/netns/p' }],
    ips: [{ address: '10.244.1.5/32', interface: 1 }]
  }
  t.match(await f.cni.run(env('CHECK'), conf({ prevResult: prev })), { stdout: '', exitCode: 0 })
  prev.ips[0]!.address = '10.244.1.9/32'
  const bad = JSON.parse((await f.cni.run(env('CHECK'), conf({ prevResult: prev }))).stdout)
  t.same(bad,
    { cniVersion: '1.1.0', code: 102, msg: 'the agent holds 10.244.1.5 for c1/eth0, prevResult says 10.244.1.9' })
  t.equal(JSON.parse((await f.cni.run(env('CHECK'), conf())).stdout).code, 7, 'CHECK without prevResult')
})

t.test('GC: released veths and stray lxc veths are removed, valid ones kept', async (t) => {
  const f = fakes({ hostVeths: ['lxc00000000000', hostVethName('keep', 'eth0'), hostVethName('old', 'eth0')] })
  await f.cni.run(env('ADD', { CNI_CONTAINERID: 'keep' }), conf())
  await f.cni.run(env('ADD', { CNI_CONTAINERID: 'old' }), conf())
  f.log.length = 0
  const out = await f.cni.run({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, gcConf([{ containerID: 'keep', ifname: 'eth0' }]))
  t.match(out, { stdout: '', exitCode: 0 })
  t.same(f.log.sort(),
    [`delveth ${hostVethName('old', 'eth0')}`, `delveth ${hostVethName('old', 'eth0')}`, 'delveth lxc00000000000',
      'release old/eth0'].sort())
  t.ok(f.held.has('keep/eth0'))
})

t.test('GC without cni.dev/valid-attachments: code 7 and nothing removed', async (t) => {
  const f = fakes({ hostVeths: [veth] })
  await f.cni.run(env('ADD'), conf())
  f.log.length = 0
  const out = await f.cni.run({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf())
  t.equal(out.exitCode, 1)
  t.equal(JSON.parse(out.stdout).code, 7)
  t.match(JSON.parse(out.stdout).msg, /valid-attachments/)
  t.same(f.log, [], 'no veth deleted, no address released')
  t.ok(f.held.has('c1/eth0'))
})

t.test('GC spares attachments younger than the grace period, and their veths', async (t) => {
  const f = fakes({ grace: 60_000, hostVeths: [veth] })
  await f.cni.run(env('ADD'), conf())
  f.log.length = 0
  f.now += 30_000
  t.equal((await f.cni.run({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, gcConf([]))).exitCode, 0)
  t.ok(f.held.has('c1/eth0'), 'a 30 s old attachment survives GC')
  t.same(f.log, [])
  f.now += 31_000
  await f.cni.run({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, gcConf([]))
  t.notOk(f.held.has('c1/eth0'), 'collected once older than the grace period')
})

t.test('GC never touches an attachment with an ADD in flight', async (t) => {
  let releaseWire!: () => void
  const gate = new Promise<void>((resolve) => { releaseWire = resolve })
  const f = fakes({
    hostVeths: [veth],
    wiring: {
      wirePod: async () => { await gate; return { hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02' } }
    },
  })
  const add = f.cni.run(env('ADD'), conf())
  await new Promise((resolve) => setTimeout(resolve, 10))
  f.log.length = 0
  t.equal((await f.cni.run({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, gcConf([]))).exitCode, 0)
  t.same(f.log, [], 'neither the address nor the veth of the ADD in flight')
  releaseWire()
  t.equal((await add).exitCode, 0)
  t.ok(f.held.has('c1/eth0'))
})

t.test('STATUS: 0 ready, 50 not ready, 51 data plane down', async (t) => {
  const f = fakes()
  t.match(await f.cni.run({ CNI_COMMAND: 'STATUS' }, conf()), { stdout: '', exitCode: 0 })
  f.ready = { ready: false, checks: { dataplane: false } }
  t.equal(JSON.parse((await f.cni.run({ CNI_COMMAND: 'STATUS' }, conf())).stdout).code, 51)
  f.ready = { ready: false, checks: { dataplane: true, ipam: false } }
  t.equal(JSON.parse((await f.cni.run({ CNI_COMMAND: 'STATUS' }, conf())).stdout).code, 50)
})

t.test('VERSION; errors in the requested version', async (t) => {
  const f = fakes()
  t.same(JSON.parse((await f.cni.run({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}')).stdout),
    { cniVersion: '0.4.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] })
  t.equal(JSON.parse((await f.cni.run({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"2.0.0"}')).stdout).code, 1)
  t.same(JSON.parse((await f.cni.run({ CNI_COMMAND: 'ADD' }, conf({ cniVersion: '1.0.0' }))).stdout).cniVersion,
    '1.0.0')
  t.equal(JSON.parse((await f.cni.run(env('ADD'), new Error('EAGAIN'))).stdout).code, 5)
})

t.test('hostile input: deep nesting and huge configs get 7, never 100', async (t) => {
  const f = fakes()
  const deep = conf({ prevResult: { interfaces: [] } }).replace('"interfaces":[]',
    `"interfaces":[${'['.repeat(100_000)}${']'.repeat(100_000)}]`)
  for (const cmd of ['ADD', 'CHECK', 'DEL']) {
    const out = JSON.parse((await f.cni.run(env(cmd), deep)).stdout)
    t.equal(out.code, 7, `${cmd}: ${out.msg}`)
    t.match(out.msg, /deeper than 64 levels/)
  }
  const huge = conf({ dns: { search: ['x'.repeat(2 << 20)] } })
  t.equal(JSON.parse((await f.cni.run(env('ADD'), huge)).stdout).code, 7)
  t.same(f.log, [], 'nothing allocated or wired')
})

t.test('DEL answers only once the release is on disk; a failed write is 11 and a retried DEL waits again', async (t) => {
  const writes: Array<{ resolve: () => void, reject: (e: Error) => void }> = []
  const f = fakes({ durable: () => new Promise<void>((resolve, reject) => { writes.push({ resolve, reject }) }) })
  const add = f.cni.run(env('ADD'), conf())
  await new Promise((resolve) => setImmediate(resolve))
  t.equal((await add).exitCode, 0, 'the fake allocate does not wait for durable')
  let answered = false
  const del = f.cni.run(env('DEL'), conf()).then((o) => { answered = true; return o })
  for (let i = 0; i < 5 && writes.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal(writes.length, 1, 'DEL waits for durable')
  t.equal(answered, false, 'no answer before the write is done')
  t.equal(f.held.has('c1/eth0'), false, 'released in memory')
  writes[0]!.reject(new TryAgainError('disk full'))
  const failed = await del
  t.equal(JSON.parse(failed.stdout).code, 11, 'a failed write: try again')
  // The retry finds nothing held, but still must not answer before the disk has the release.
  answered = false
  const retry = f.cni.run(env('DEL'), conf()).then((o) => { answered = true; return o })
  for (let i = 0; i < 5 && writes.length < 2; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal(writes.length, 2, 'the retried DEL waits for a write too')
  t.equal(answered, false)
  writes[1]!.resolve()
  t.equal((await retry).exitCode, 0)
})

t.test('every invocation reports its stages; a waiting invocation reports its lock wait', async (t) => {
  const stages: Array<{ command: string, stages: Record<string, number> }> = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const f = fakes({
    stages,
    wiring: {
      wirePod: async (spec) => {
        spec.stages?.add('veth_create', 0.002)
        await gate
        return { hostMAC: '02:00:00:00:00:01', podMAC: '02:00:00:00:00:02' }
      },
    },
  })
  const first = f.cni.run(env('ADD'), conf(), undefined, 0.003)
  const second = f.cni.run(env('ADD'), conf())
  await new Promise((resolve) => setTimeout(resolve, 20))
  release()
  await Promise.all([first, second])
  await f.cni.run(env('DEL'), conf())
  await f.cni.run(env('DEL', { CNI_CONTAINERID: 'bad id!' }), conf())
  t.equal(stages.length, 4)
  const [a1, a2, d, bad] = stages
  t.equal(a1!.command, 'ADD')
  t.equal(a1!.stages.request, 0.003, 'the API server\'s request time is carried')
  for (const k of ['parse', 'lock_wait', 'netns_open', 'ready_wait', 'ipam_allocate', 'state_commit', 'veth_create', 'result']) {
    t.type(a1!.stages[k], 'number', `ADD records ${k}`)
  }
  t.equal(a1!.stages.veth_create, 0.002, 'the wiring writes into the same record')
  t.ok(a2!.stages.lock_wait! >= 0.015, `the second ADD of the attachment waited for the first (${a2!.stages.lock_wait})`)
  t.equal(d!.command, 'DEL')
  for (const k of ['veth_detach', 'release', 'state_commit']) t.type(d!.stages[k], 'number', `DEL records ${k}`)
  t.equal(bad!.command, 'DEL', 'a refused invocation is reported too')
  t.same(Object.keys(bad!.stages), [], 'with no stage it never reached')
})
