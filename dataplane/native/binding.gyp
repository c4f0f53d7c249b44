# The N-API addons of the data path: syscalls only (loom_native: TUN, batched UDP, libuv poll,
# with loom_offload's batch byte loops; loom_packet: the AF_PACKET socket of multicast capture),
# and loom_crypto (the transport AEAD over OpenSSL as linked into node; see loom_crypto.c).
# The host's syscalls (setns, sd_notify, the state directory) are host/native/binding.gyp.
# Plain C against node_api.h, so it needs no node-addon-api and works across Node ABI versions;
# the argument and error helpers are shared with host/native/ (napi_util.h).
# Build: npm run build:native (node-gyp against the installed Node's headers)
{
  "target_defaults": {
    "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
    "include_dirs": ["../../host/native"],
    "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
    "cflags!": ["-O3"]
  },
  "targets": [
    {
      "target_name": "loom_native",
      "sources": ["loom_native.c", "loom_offload.c"]
    },
    {
      "target_name": "loom_packet",
      "sources": ["loom_packet.c"]
    },
    {
      "target_name": "loom_crypto",
      "sources": ["loom_crypto.c"]
    }
  ]
}
