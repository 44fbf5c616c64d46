//! Link options of the `lakestack` binary alone (dependencies are not
//! rebuilt for them).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // Packed relative relocations (RELR): the ~190k relocations of a
        // DataFusion-sized binary shrink from 4.6 MB of `.rela.dyn`, which the
        // loader read at every start, to a few KB.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        // A fixed load address: the 3.3 MB of vtables and static tables in
        // `.data.rel.ro` are then resolved at link time and paged in from the
        // file when touched, instead of relocated (so copied, dirty) at every
        // start. It costs the executable image's ASLR (libraries, heap and
        // stacks stay randomized): the server binds to loopback by default and
        // its own code forbids `unsafe` (docs/bench.md, "Footprint").
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
