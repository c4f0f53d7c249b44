# The N-API addon of the host's syscalls that Node cannot make: setns (loom_host.c), the
# systemd notify datagram (loom_host.c), flock and the *at() calls of the state directory
# (state_dir.c), an rtnetlink round trip off the JS thread (netlink_batch.c). The data path's
# addons are dataplane/native/binding.gyp; both use napi_util.h.
# Build: npm run build:native (node-gyp against the installed Node's headers)
{
  "targets": [
    {
      "target_name": "loom_host",
      "sources": ["loom_host.c", "state_dir.c", "netlink_batch.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "cflags!": ["-O3"]
    }
  ]
}
