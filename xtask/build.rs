//! Three jobs at build time: linking the binary for the git hooks' sake, compiling the native hook stub,
//! and embedding the kit's own files.
//!
//! **Linking.** Git starts the binary for every commit and every ref update. Linked position-independent
//! (rustc's default), a binary of this size spends about half a millisecond of each start in the dynamic
//! loader applying some 30,000 relocations: a third of what a `git rev-parse` costs in all. Linked with
//! `-no-pie`, it starts faster than `git --version`. The price is that the executable itself is not
//! placed at a random address (its libraries still are); for a developer tool run from the user's
//! own repository, start-up time matters more. For the same reason the binary is linked with `-z lazy`
//! (rustc asks for `-z now`): the C library's functions are bound when first called, not all at start,
//! which saves a hook about as much as the native hook's extra `execve` costs; the function table then
//! stays writable (partial RELRO). Only the binaries are affected, not the library or tests. GCC's unwinder
//! is linked in from `libgcc_eh.a` rather than loaded from `libgcc_s.so` (as `cc -static-libgcc` does),
//! where the linker driver has the archive: one shared library less to load at every start.
//!
//! **Hook stub.** A client hook is a small native program of its own that starts the one installed
//! binary (`hooks/exec-stub.rs`: no standard library, no C library, one page of code), so that three hooks
//! do not cost three copies of the binary. It is compiled here with the same `rustc`, in a fraction of a
//! second, for Linux on x86-64 only; elsewhere, or if it does not build, the list is empty and each hook is
//! a copy of the binary as before. It ends up in the binary as `kit::HOOK_STUB`.
//!
//! **Embedding.** `xtask init` installs the kit into another repository from the binary alone, so every
//! file of this crate that the installed crate needs (its manifest, this script, `src/`, `hooks/`,
//! `templates/`) is listed here, from the disk, and compiled in with `include_str!`: a file added to
//! `src/` is shipped without anyone keeping a list by hand. In this repository `hooks/` and
//! `templates/` sit at the top of the workspace; an installed copy keeps them inside its crate, so a
//! project's own `hooks/` or `templates/` never meets the kit's.

use std::path::{Path, PathBuf};

/// What the installed crate is made of, relative to the crate's directory.
const SHIPPED_FILES: [&str; 2] = ["Cargo.toml", "build.rs"];
const SHIPPED_DIRS: [&str; 3] = ["src", "hooks", "templates"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // The `cc` linker driver, which rustc uses on Linux, understands `-no-pie`; other platforms' linkers
    // do not, and their loaders are not the cost here.
    // Installed as a library beside a project's own xtask, the kit has no binary to link.
    let has_binary = Path::new("src/main.rs").exists();
    if os == "linux" && has_binary {
        println!("cargo::rustc-link-arg-bins=-no-pie");
        // Bind the C library's functions when first called rather than all at start (rustc asks for
        // `-z now`): a hook calls few of them.
        println!("cargo::rustc-link-arg-bins=-Wl,-z,lazy");
        static_unwinder();
    }
    embed_kit_files();
    kit_version();
    hook_stub(os == "linux");
}

/// Links GCC's unwinder (`libgcc_eh.a`, part of every GCC installation) into the binary instead of loading
/// `libgcc_s.so` at every start, as `cc -static-libgcc` does for C programs: one shared library less for
/// the loader, and no run of its constructor, which asks the processor for its features (`cpuid`, slow
/// under virtualisation). About 0.1 ms of every hook. The archive is looked up with the linker driver
/// rustc uses; where it is not found (another compiler), nothing changes.
fn static_unwinder() {
    // glibc targets only (musl's links an unwinder of its own), built for this machine (the host's
    // compiler has the host's archive).
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if !gnu || std::env::var("TARGET").ok() != std::env::var("HOST").ok() {
        return;
    }
    let linker = std::env::var_os("RUSTC_LINKER").unwrap_or_else(|| "cc".into());
    let Ok(output) = std::process::Command::new(linker)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
    else {
        return;
    };
    let printed = String::from_utf8_lossy(&output.stdout);
    let archive = Path::new(printed.trim());
    // Without the file, the driver prints the bare name back.
    if let (true, Some(dir)) = (archive.is_absolute() && archive.is_file(), archive.parent()) {
        println!("cargo::rustc-link-search=native={}", dir.display());
        // Before the standard library's `-lgcc_s` on the link line, so that the unwinder's symbols come
        // from here and `--as-needed` leaves `libgcc_s.so` out.
        println!("cargo::rustc-link-lib=static=gcc_eh");
    }
}

/// Compiles `hooks/exec-stub.rs` to `$OUT_DIR/hook-stub`, or writes an empty file there (no stub: the hooks are
/// copies of the binary). Never fails the build: the stub only saves disk space.
fn hook_stub(linux: bool) {
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("hook-stub");
    let crate_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let source = source_dir(&crate_dir, "hooks").join("exec-stub.rs");
    println!("cargo::rerun-if-changed={}", source.display());
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let built = linux
        && arch == "x86_64"
        && source.is_file()
        && std::process::Command::new(rustc)
            .args([
                "--edition",
                "2021",
                "--crate-type",
                "bin",
                "--target",
                &target,
            ])
            .args([
                "-C",
                "panic=abort",
                "-C",
                "opt-level=2",
                "-C",
                "debuginfo=0",
            ])
            .args(["-C", "strip=symbols", "-C", "relocation-model=static"])
            // No C start-up files and no libraries: the stub has its own `_start` and makes system calls.
            .args(["-C", "link-arg=-nostartfiles", "-C", "link-arg=-nostdlib"])
            .args(["-C", "link-arg=-static", "-o"])
            .arg(&out)
            .arg(&source)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !built {
        if linux && arch == "x86_64" {
            println!(
                "cargo::warning=the native hook stub did not build: each hook will be a copy of the binary"
            );
        }
        std::fs::write(&out, b"").expect("cannot write the hook stub's placeholder");
    }
}

/// The kit's version as `XTASK_KIT_VERSION`: the crate's own, or, in a copy installed by `xtask init` (which
/// has no version, so that the project's version files leave it alone), the one recorded in
/// `[package.metadata.xtask-kit]`.
fn kit_version() {
    let own = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap_or_default();
    let recorded = manifest
        .split("[package.metadata.xtask-kit]")
        .nth(1)
        .and_then(|table| {
            table
                .lines()
                .find_map(|l| l.trim().strip_prefix("version = \""))
        })
        .and_then(|rest| rest.split('"').next());
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!(
        "cargo::rustc-env=XTASK_KIT_VERSION={}",
        recorded.unwrap_or(&own)
    );
}

/// Where a shipped directory is: in the crate (an installed copy keeps everything there), else at the
/// top of the workspace (this repository keeps `hooks/` and `templates/` beside the crate).
pub fn source_dir(crate_dir: &Path, dir: &str) -> PathBuf {
    let inside = crate_dir.join(dir);
    if inside.is_dir() {
        inside
    } else {
        crate_dir.join("..").join(dir)
    }
}

fn embed_kit_files() {
    let crate_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, PathBuf)> = SHIPPED_FILES
        .iter()
        .map(|f| (f.to_string(), crate_dir.join(f)))
        .collect();
    for dir in SHIPPED_DIRS {
        let source = source_dir(&crate_dir, dir);
        // A directory named here makes cargo rerun this script when a file in it is added or removed.
        println!("cargo::rerun-if-changed={}", source.display());
        collect(&source, &source, dir, &mut files);
    }
    files.sort();
    let mut code =
        String::from("/// The kit's own files, relative to its crate: `(path, contents)`.\n");
    code.push_str("pub const KIT_FILES: &[(&str, &str)] = &[\n");
    for (rel, absolute) in &files {
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    code.push_str("];\n");
    // The default changelog template and header, for the renderer.
    for (name, rel) in [
        ("CHANGELOG_TEMPLATE", "templates/changelog.md.j2"),
        ("CHANGELOG_HEADER", "templates/changelog-header.md"),
    ] {
        let absolute =
            source_dir(&crate_dir, "templates").join(rel.trim_start_matches("templates/"));
        code.push_str(&format!(
            "pub const {name}: &str = include_str!({:?});\n",
            absolute.display().to_string()
        ));
    }
    // The lock the kit is tested with: this workspace's, or an installed copy's own.
    let inside = crate_dir.join("Cargo.lock");
    let lock = if inside.is_file() {
        inside
    } else {
        crate_dir.join("..").join("Cargo.lock")
    };
    println!("cargo::rerun-if-changed={}", lock.display());
    code.push_str(&format!(
        "pub const KIT_LOCK: &str = include_str!({:?});\n",
        lock.display().to_string()
    ));
    // The native hook stub `hook_stub` builds (empty where there is none).
    code.push_str(
        "/// The native client hook, to be filled in by `hooks install` (empty: hooks are copies of the binary).\n\
         pub const HOOK_STUB: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/hook-stub\"));\n",
    );
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("kit_files.rs");
    std::fs::write(&out, code).expect("cannot write the list of the kit's files");
}

/// Every file below `dir`, named as `prefix/<path below base>`, with where it is on disk.
fn collect(base: &Path, dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, prefix, files);
        } else if let Ok(rel) = path.strip_prefix(base) {
            let rel = format!("{prefix}/{}", rel.to_string_lossy().replace('\\', "/"));
            // Editors' swap and backup files are not the kit's.
            if !rel.ends_with('~') && !rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
                files.push((rel, path));
            }
        }
    }
}
