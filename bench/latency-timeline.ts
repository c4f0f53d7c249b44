/**
 * latency-timeline: the timeline of each ping round trip across two loomd, from a whole-machine
 * `perf script` of the sched and syscall tracepoints (what `TRACE=1 bench/latency.sh` records).
 *
 *   node dist/bench/latency-timeline.js TRACE.txt PID_A PID_B
 *
 * PID_A is the loomd next to ping (its main thread), PID_B the far one. For every echo request
 * (ping's sendto) it follows the packet through the steps below, each the first matching event
 * after the previous step, and skips a round trip where a step is missing (e.g. both loomd were
 * already awake). Prints, per step, the median, p90 and p99 (nearest rank) of the time since the
 * previous step in microseconds, and the share of the round trip. x86-64 syscall numbers.
 */
import { readFileSync } from 'node:fs'

const NR = {
  read: 0,
  write: 1,
  writev: 20,
  sendto: 44,
  sendmsg: 46,
  recvmsg: 47,
  epollWait: 232,
  epollPwait: 281,
  recvmmsg: 299,
  sendmmsg: 307,
}

interface TraceEvent {
  comm: string
  pid: number
  tid: number
  t: number // microseconds
  kind: 'enter' | 'exit' | 'wakeup' | 'switch' | 'other'
  nr: number
  ret: number
  target: number // wakeup: the woken pid; switch: next_pid
}

function parse (text: string): TraceEvent[] {
  const out: TraceEvent[] = []
  const re = /^\s*(.+?)\s+(\d+)\/(\d+)\s+\[\d+\]\s+([\d.]+):\s+(\S+):\s*(.*)$/
  for (const line of text.split('\n')) {
    const m = re.exec(line)
    if (m === null) continue
    const [, comm, pid, tid, time, event, rest] = m
    const e: TraceEvent = { comm, pid: Number(pid), tid: Number(tid), t: Number(time) * 1e6, kind: 'other', nr: -1, ret: 0, target: -1 }
    if (event === 'raw_syscalls:sys_enter') {
      e.kind = 'enter'
      e.nr = Number(/NR (\d+)/.exec(rest)?.[1] ?? -1)
    } else if (event === 'raw_syscalls:sys_exit') {
      e.kind = 'exit'
      const x = /NR (\d+) = (-?\d+)/.exec(rest)
      e.nr = Number(x?.[1] ?? -1)
      e.ret = Number(x?.[2] ?? 0)
    } else if (event === 'sched:sched_wakeup') {
      e.kind = 'wakeup'
      e.target = Number(/ pid=(\d+)/.exec(rest)?.[1] ?? -1)
    } else if (event === 'sched:sched_switch') {
      e.kind = 'switch'
      e.target = Number(/next_pid=(\d+)/.exec(rest)?.[1] ?? -1)
    }
    out.push(e)
  }
  return out
}

type Match = (e: TraceEvent) => boolean
const sys = (tid: number, kind: 'enter' | 'exit', ...nrs: number[]): Match =>
  (e) => e.tid === tid && e.kind === kind && nrs.includes(e.nr)
const woken = (pid: number): Match => (e) => e.kind === 'wakeup' && e.target === pid
const onCpu = (pid: number): Match => (e) => e.kind === 'switch' && e.target === pid
const polled = (tid: number): Match =>
  (e) => e.tid === tid && e.kind === 'exit' && (e.nr === NR.epollPwait || e.nr === NR.epollWait) && e.ret > 0

function steps (a: number, b: number): Array<{ name: string, match: Match, from?: number }> {
  const send = [NR.sendmmsg, NR.sendmsg]
  const tunWrite = [NR.write, NR.writev]
  return [
    { name: 'ping sendto -> loomd A woken', match: woken(a) },
    { name: 'A: woken -> on a CPU', match: onCpu(a) },
    { name: 'A: on CPU -> epoll_pwait returns', match: polled(a) },
    { name: 'A: epoll returns -> TUN read (libuv, N-API, JS)', match: sys(a, 'enter', NR.read) },
    { name: 'A: TUN read -> send (route, encapsulate)', match: sys(a, 'enter', ...send) },
    { name: 'A: send -> B woken (veth, UDP receive in softirq)', match: woken(b) },
    { name: 'B: woken -> on a CPU', match: onCpu(b) },
    { name: 'B: on CPU -> epoll_pwait returns', match: polled(b) },
    { name: 'B: epoll returns -> recvmmsg', match: sys(b, 'enter', NR.recvmmsg) },
    { name: 'B: recvmmsg -> TUN write (decapsulate, checks)', match: sys(b, 'enter', ...tunWrite) },
    { name: 'B: TUN write (kernel answers the echo inside it)', match: sys(b, 'exit', ...tunWrite) },
    { name: 'B: write returns -> TUN read of the reply', match: sys(b, 'enter', NR.read) },
    { name: 'B: TUN read -> send', match: sys(b, 'enter', ...send) },
    { name: 'B: send -> A woken', match: woken(a) },
    { name: 'A: woken -> on a CPU', match: onCpu(a) },
    { name: 'A: on CPU -> epoll_pwait returns', match: polled(a) },
    { name: 'A: epoll returns -> recvmmsg', match: sys(a, 'enter', NR.recvmmsg) },
    { name: 'A: recvmmsg -> TUN write', match: sys(a, 'enter', ...tunWrite) },
    { name: 'A: TUN write -> ping has the reply', match: (e) => e.comm === 'ping' && e.kind === 'exit' && e.nr === NR.recvmsg && e.ret > 0 },
  ]
}

function rank (sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]
}

function main (): void {
  const [file, pa, pb] = process.argv.slice(2)
  if (file === undefined || pa === undefined || pb === undefined) {
    console.error('usage: latency-timeline TRACE.txt PID_A PID_B')
    process.exit(2)
  }
  const events = parse(readFileSync(file, 'utf8'))
  const plan = steps(Number(pa), Number(pb))
  const starts = events.flatMap((e, i) => e.comm === 'ping' && e.kind === 'enter' && e.nr === NR.sendto ? [i] : [])
  const deltas: number[][] = plan.map(() => [])
  const totals: number[] = []
  let skipped = 0
  for (let s = 0; s < starts.length; s++) {
    const end = s + 1 < starts.length ? starts[s + 1] : events.length
    let at = starts[s]
    const times: number[] = []
    for (const step of plan) {
      let j = at + 1
      while (j < end && !step.match(events[j])) j++
      if (j >= end) break
      times.push(events[j].t)
      at = j
    }
    if (times.length < plan.length) { skipped++; continue }
    let prev = events[starts[s]].t
    times.forEach((t, k) => { deltas[k].push(t - prev); prev = t })
    totals.push(prev - events[starts[s]].t)
  }
  if (totals.length === 0) {
    console.error(`no complete round trip among ${starts.length} pings`)
    process.exit(1)
  }
  const sortedTotals = [...totals].sort((x, y) => x - y)
  const total = rank(sortedTotals, 0.5)
  console.log(`${totals.length} round trips followed (${skipped} of ${starts.length} skipped: a step missing)\n`)
  console.log('| step | median µs | p90 µs | p99 µs | share of the median RTT |')
  console.log('|---|---|---|---|---|')
  plan.forEach((step, k) => {
    const d = deltas[k].sort((x, y) => x - y)
    const med = rank(d, 0.5)
    console.log(`| ${step.name} | ${med.toFixed(0)} | ${rank(d, 0.9).toFixed(0)} | ${rank(d, 0.99).toFixed(0)} | ${(100 * med / total).toFixed(0)} % |`)
  })
  console.log(`| **round trip (sendto -> reply)** | **${total.toFixed(0)}** | ${rank(sortedTotals, 0.9).toFixed(0)} | ${rank(sortedTotals, 0.99).toFixed(0)} | 100 % |`)
}

main()
