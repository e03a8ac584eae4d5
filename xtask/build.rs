//! Links the kit's binary as a position-dependent executable on Linux, for the git hooks' sake.
//!
//! Git starts the binary for every commit and every ref update. Linked position-independent (rustc's
//! default), a binary of this size spends about half a millisecond of each start in the dynamic loader
//! applying some 30,000 relocations: a third of what a `git rev-parse` costs in all. Linked with
//! `-no-pie`, it starts faster than `git --version`. The price is that the executable itself is not
//! placed at a random address (its libraries still are); for a developer tool run from the user's
//! own repository, start-up time matters more. Only the binaries are affected, not the library or tests.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // The `cc` linker driver, which rustc uses on Linux, understands `-no-pie`; other platforms' linkers
    // do not, and their loaders are not the cost here.
    if os == "linux" {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
