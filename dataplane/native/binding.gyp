# The N-API bindings of the data plane: syscalls only (TUN, batched UDP, libuv poll, setns;
# state_dir.c: flock and *at() calls for the state directory; loom_packet: the AF_PACKET socket
# of multicast capture),
# and loom_crypto (the transport AEAD over OpenSSL as linked into node; see loom_crypto.c).
# Plain C against node_api.h, so it needs no node-addon-api and works across Node ABI versions.
# Build: npx node-gyp rebuild --directory dataplane/native
{
  "targets": [
    {
      "target_name": "loom_native",
      "sources": ["loom_native.c", "loom_offload.c", "state_dir.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "cflags!": ["-O3"]
    },
    {
      "target_name": "loom_packet",
      "sources": ["loom_packet.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "cflags!": ["-O3"]
    },
    {
      "target_name": "loom_crypto",
      "sources": ["loom_crypto.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "cflags!": ["-O3"]
    }
  ]
}
