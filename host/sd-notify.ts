/**
 * systemd readiness and watchdog notifications (sd_notify(3)) for loomd under Type=notify.
 *
 * The unit (systemd/loomd.service) says Type=notify and WatchdogSec=...: systemd considers loomd
 * started only after READY=1, and restarts it when WATCHDOG=1 pings stop for WatchdogSec. The
 * agent calls `ready()` once the data plane is up and the local API listens (so the CNI plugin
 * can serve ADD), `status()` for the one-line text `systemctl status` shows, and `stopping()` on
 * SIGTERM. The watchdog ping runs from a timer on the event loop, so a wedged loop (the only
 * thing the watchdog can see) stops the pings — that is the point.
 *
 * Design notes:
 * - The datagram is sent by the host addon (`notify`, host/native/loom_host.c), because Node
 *   cannot open AF_UNIX datagram sockets. Outside systemd (NOTIFY_SOCKET unset) every call is a cheap no-op.
 * - Ping interval = WATCHDOG_USEC / 2, as sd_watchdog_enabled(3) recommends. WATCHDOG_PID, when
 *   set, must be our pid (otherwise the watchdog is meant for another process).
 * - Failures to notify are logged once per kind and counted by the caller's hook; they never
 *   throw into the agent: a missing notification makes systemd act, which is the right signal.
 */
import { loadHostBinding } from './native-binding'

export interface SdNotifyComponents {
  /** Sends one datagram; defaults to the host addon's notify. Returns false when not under systemd. */
  send?: (message: string) => boolean
  /** Environment to read NOTIFY_SOCKET/WATCHDOG_* from; default process.env. */
  env?: NodeJS.ProcessEnv
  /** Called with the error when a notification could not be sent (log and count it). */
  onError?: (err: unknown, message: string) => void
}

export class SdNotify {
  private readonly send: (message: string) => boolean
  private readonly env: NodeJS.ProcessEnv
  private readonly onError: (err: unknown, message: string) => void
  private watchdogTimer: NodeJS.Timeout | undefined

  constructor (components: SdNotifyComponents = {}) {
    this.send = components.send ?? ((m) => loadHostBinding().notify(m))
    this.env = components.env ?? process.env
    this.onError = components.onError ?? (() => {})
  }

  /** True when systemd gave us a notify socket. */
  get enabled (): boolean {
    const s = this.env.NOTIFY_SOCKET
    return s !== undefined && s !== ''
  }

  /** Sends a raw notification ('READY=1\nSTATUS=...'); false when not under systemd or on failure. */
  notify (message: string): boolean {
    if (!this.enabled) return false
    try {
      return this.send(message)
    } catch (err) {
      this.onError(err, message)
      return false
    }
  }

  /** READY=1 (with an optional STATUS line), then starts the watchdog pings if systemd asked for them. */
  ready (status?: string): boolean {
    const ok = this.notify(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${oneLine(status)}`)
    this.startWatchdog()
    return ok
  }

  status (text: string): boolean {
    return this.notify(`STATUS=${oneLine(text)}`)
  }

  /** STOPPING=1 and stops the watchdog pings. */
  stopping (): boolean {
    this.stopWatchdog()
    return this.notify('STOPPING=1')
  }

  /**
   * The ping interval in ms (half of WATCHDOG_USEC), or undefined when no watchdog is set for
   * this process.
   */
  watchdogIntervalMs (): number | undefined {
    const usec = Number(this.env.WATCHDOG_USEC)
    if (!Number.isInteger(usec) || usec <= 0) return undefined
    const pid = this.env.WATCHDOG_PID
    if (pid !== undefined && pid !== '' && Number(pid) !== process.pid) return undefined
    return Math.max(1, Math.floor(usec / 2000))
  }

  /** Starts WATCHDOG=1 pings every watchdogIntervalMs(); idempotent; the timer is unref'd. */
  startWatchdog (): void {
    const ms = this.watchdogIntervalMs()
    if (ms === undefined || this.watchdogTimer !== undefined || !this.enabled) return
    this.notify('WATCHDOG=1')
    this.watchdogTimer = setInterval(() => { this.notify('WATCHDOG=1') }, ms)
    this.watchdogTimer.unref()
  }

  stopWatchdog (): void {
    if (this.watchdogTimer !== undefined) clearInterval(this.watchdogTimer)
    this.watchdogTimer = undefined
  }
}

function oneLine (s: string): string {
  return s.replace(/[\r\n]+/g, ' ')
}
