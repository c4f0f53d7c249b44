import t from 'tap'
import {
  AgentError, CNI_CODE, CheckFailedError, DecodeError, DegradedError, IncompatibleVersionError, InterfaceExistsError,
  InvalidConfigError, InvalidEnvError, IOFailureError, NotAvailableError, TryAgainError, UnknownContainerError,
  UnsupportedFieldError, WiringError, toErrorJSON, CniError,
} from '../../cni/errors'

t.test('each error class carries its CNI code and a stable string code', async (t) => {
  const table: Array<[new (m: string) => CniError, number, string]> = [
    [IncompatibleVersionError, 1, 'ERR_CNI_INCOMPATIBLE_VERSION'],
    [UnsupportedFieldError, 2, 'ERR_CNI_UNSUPPORTED_FIELD'],
    [UnknownContainerError, 3, 'ERR_CNI_UNKNOWN_CONTAINER'],
    [InvalidEnvError, 4, 'ERR_CNI_INVALID_ENV'],
    [IOFailureError, 5, 'ERR_CNI_IO'],
    [DecodeError, 6, 'ERR_CNI_DECODE'],
    [InvalidConfigError, 7, 'ERR_CNI_INVALID_CONFIG'],
    [TryAgainError, 11, 'ERR_CNI_TRY_AGAIN'],
    [NotAvailableError, 50, 'ERR_CNI_NOT_AVAILABLE'],
    [DegradedError, 51, 'ERR_CNI_DEGRADED'],
    [WiringError, 100, 'ERR_CNI_WIRING'],
    [AgentError, 101, 'ERR_CNI_AGENT'],
    [CheckFailedError, 102, 'ERR_CNI_CHECK_FAILED'],
    [InterfaceExistsError, 103, 'ERR_CNI_INTERFACE_EXISTS'],
  ]
  for (const [C, cniCode, code] of table) {
    const e = new C('boom')
    t.equal(e.cniCode, cniCode, C.name)
    t.equal(e.code, code)
    t.equal(e.name, C.name)
    t.ok(e instanceof CniError && e instanceof Error)
  }
  t.equal(CNI_CODE.TRY_AGAIN_LATER, 11)
})

t.test('error JSON has exactly the spec fields', async (t) => {
  t.same(toErrorJSON(new TryAgainError('daemon not ready', { details: 'connect: refused' }), '1.0.0'),
    { cniVersion: '1.0.0', code: 11, msg: 'daemon not ready', details: 'connect: refused' })
  t.same(toErrorJSON(new InvalidConfigError('bad mtu'), '0.4.0'), { cniVersion: '0.4.0', code: 7, msg: 'bad mtu' })
  t.same(toErrorJSON(new WiringError('x', { cause: new Error('EPERM') }), '1.1.0'),
    { cniVersion: '1.1.0', code: 100, msg: 'x', details: 'EPERM' })
  t.same(toErrorJSON(new TypeError('oops'), '1.1.0'), { cniVersion: '1.1.0', code: 100, msg: 'oops' })
})
