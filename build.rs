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
    }
    println!("cargo:rerun-if-changed=build.rs");
}
