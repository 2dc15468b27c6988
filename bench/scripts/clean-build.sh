#!/usr/bin/env bash
# Clean debug build of a build.rs user of connectum-mesh against a clean build of the external
# crates that user's build compiles, one after the other, each in its own fresh target directory.
# usage: bench/scripts/clean-build.sh [REV]   (REV: the commit to measure, default HEAD)
# Writes ${SCRATCH:-/tmp/connectum-mesh-clean-build}/{src,user,deps}; prints wall, user and sys
# seconds of each build and user+sys(user) / user+sys(deps), then the units the two builds do not
# share (our crates only, when the deps list is right). Each crate's --timings report is copied
# beside it as timing.html (the unit time of each crate).
set -euo pipefail
REV="${1:-HEAD}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="${SCRATCH:-/tmp/connectum-mesh-clean-build}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
git -C "$ROOT" archive --prefix=src/ "$REV" | tar -x -C "$SCRATCH"
K8S='k8s-openapi = { version = "0.29.0", default-features = false, features = ["std", "latest"] }'
# What connectum-mesh without default features compiles, at the workspace's versions.
SHARED='serde = { version = "1.0.228", features = ["derive"] }
serde_json = "1.0"
erased-serde = "0.4"
schemars = "1.2"
bon = "3.10"
kube = { version = "5.0.0", default-features = false, features = ["derive"] }
serde-saphyr = "=2.2.0"
sha2 = "0.10"
strsim = "0.11"
regex-syntax = "0.8"
tempfile = "3"'
# Only the proc-macro needs these, so only the build-dependencies name them (a normal dependency
# on syn would build it a second time).
HOST='syn = { version = "2.0", features = ["full", "extra-traits"] }
quote = "1.0"
proc-macro2 = "1.0"
proc-macro-crate = "3.5"'
MESH="connectum-mesh = { path = \"$SCRATCH/src/connectum-mesh\", default-features = false }"
for crate in deps user; do
  mkdir -p "$SCRATCH/$crate/src"
  cp "$SCRATCH/src/Cargo.lock" "$SCRATCH/src/rust-toolchain.toml" "$SCRATCH/$crate/"
done
cat > "$SCRATCH/deps/Cargo.toml" <<TOML
[package]
name = "clean-deps"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$SHARED
$K8S

[build-dependencies]
$SHARED
$K8S
$HOST

[workspace]
TOML
echo 'fn main() {}' > "$SCRATCH/deps/build.rs"
echo 'fn main() {}' > "$SCRATCH/deps/src/main.rs"
cat > "$SCRATCH/user/Cargo.toml" <<TOML
[package]
name = "clean-user"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$MESH
$K8S

[build-dependencies]
$MESH
$K8S

[workspace]
TOML
cat > "$SCRATCH/user/build.rs" <<'RS'
use connectum_mesh::{Mesh, Service};

fn main() -> Result<(), connectum_mesh::build::BuildError> {
    let mut mesh = Mesh::builder().namespace("shop").build();
    mesh.add_service(Service::builder().name("cart").image("cart:1.0.0").build());
    connectum_mesh::build::write_manifests(&mesh, "deploy".as_ref(), &Default::default())?;
    Ok(())
}
RS
cat > "$SCRATCH/user/src/main.rs" <<'RS'
use connectum_mesh::{Mesh, Service, emit, mesh, render};

fn main() {
    let from_macro = mesh! {
        namespace: shop,
        service cart { image: "cart:1.0.0" }
    };
    let mut from_builders = Mesh::builder().namespace("shop").build();
    from_builders.add_service(Service::builder().name("cart").image("cart:1.0.0").build());
    for mesh in [from_macro, from_builders] {
        match render(&mesh).map(|m| emit::to_yaml(&m)) {
            Ok(Ok(yaml)) => println!("{} bytes", yaml.len()),
            Ok(Err(error)) => eprintln!("{error}"),
            Err(error) => eprintln!("{error}"),
        }
    }
}
RS
cpu() { awk '{ split($3, u, "="); split($4, s, "="); print u[2] + s[2] }' "$SCRATCH/$1.time"; }
for crate in deps user; do
  echo "$crate: load $(cut -d' ' -f1-3 /proc/loadavg), start $(date -u +%T)"
  (cd "$SCRATCH/$crate" && /usr/bin/time -f "$crate wall=%e user=%U sys=%S" -o "../$crate.time" \
    cargo build --timings > "../$crate.log" 2>&1)
  cat "$SCRATCH/$crate.time"
  cp "$SCRATCH/$crate/target/cargo-timings/cargo-timing.html" "$SCRATCH/$crate/timing.html"
done
echo "user / deps in user + sys CPU: $(echo "scale=3; $(cpu user) / $(cpu deps)" | bc)"
units() {
  python3 - "$SCRATCH/$1/timing.html" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
for unit in json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", page, re.S).group(1)):
    print(unit["name"], unit["version"], unit["target"].strip(), f"{unit['duration']:.1f}s")
PY
}
echo "unit time of the crates only one build compiled (ours, when the deps list is right):"
diff <(units deps | cut -d' ' -f1-3 | sort) <(units user | cut -d' ' -f1-3 | sort) | grep '^[<>]' || true
units user | grep -E '^(connectum|clean)'
