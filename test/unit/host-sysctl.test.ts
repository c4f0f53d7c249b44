import t from 'tap'
import { NetnsEntryError, setSysctl, sysctlPath } from '../../host'

t.test('sysctlPath joins components under /proc/sys', async t => {
  t.equal(sysctlPath(['net', 'ipv4', 'ip_forward']), '/proc/sys/net/ipv4/ip_forward')
  t.equal(sysctlPath(['net', 'ipv4', 'conf', 'eth0.100', 'proxy_arp']), '/proc/sys/net/ipv4/conf/eth0.100/proxy_arp',
    'an interface name with a dot stays one component')
})

t.test('sysctlPath refuses components that would leave their place', async t => {
  for (const bad of [[], [''], ['net', '..', '..', 'etc', 'shadow'], ['net', 'ipv4', 'conf', '../../../etc', 'x'],
    ['net', 'ipv4', 'conf', 'a/b', 'proxy_arp'], ['.'], ['net', 'a\0b']]) {
    t.throws(() => sysctlPath(bad), TypeError, JSON.stringify(bad))
    t.throws(() => setSysctl(bad, '1'), TypeError, `setSysctl ${JSON.stringify(bad)} writes nothing`)
  }
})

t.test('NetnsEntryError names the namespace and the errno', async t => {
  const cause = Object.assign(new Error('x'), { code: 'ENOENT', errno: 2 })
  const err = new NetnsEntryError('/var/run/netns/gone', cause)
  t.match(err,
    {
      code: 'ERR_NETNS_ENTRY',
      errnoCode: 'ENOENT',
      message: 'cannot enter network namespace /var/run/netns/gone: ENOENT'
    })
  t.equal(err.cause, cause)
  t.match(new NetnsEntryError('ns', 'weird'), { errnoCode: 'weird' }, 'a cause without a code is described')
})
