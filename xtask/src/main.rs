//! The `xtask` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    xtask::run(std::env::args_os())
}
