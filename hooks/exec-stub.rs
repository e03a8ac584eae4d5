//! The native client hook: a few kilobytes that start the kit's installed binary in their place.
//!
//! `build.rs` compiles this file on its own (no standard library, no C library, no start-up code) for
//! Linux on x86-64, and `hooks install` writes one copy per hook with the slot below filled in: the
//! installed binary's path, the same path relative to the hook's directory (for a repository that was
//! moved: the hook finds itself through `/proc/self/exe`), then the text of that hook's `sh` shim. Git starts the hook directly; it
//! replaces itself (`execve`, same arguments, same environment, standard input untouched) with the
//! binary, which knows the hook by the file name git gave it. That costs one extra `execve` of a static
//! file of one page of code, instead of a copy of the whole binary per hook, or a shell in front.
//!
//! When the binary cannot be started (removed, not executable), the hook's `sh` shim takes over, run by
//! `/bin/sh -c` with `$0` the hook's path: it falls back to `cargo xtask` in a work tree of the kit, and
//! otherwise warns and lets git go on, as the shims do.
#![no_std]
#![no_main]

/// Where `hooks install` looks for the slot: the marker, then zeros up to [`END`].
const MARKER: &[u8] = b"@XTASK_BIN@:";
const END: &[u8] = b"@XTASK_END@";
const SLOT: usize = 16384;

/// The marker, then (once installed) `<binary path>\0<path from the hook's directory>\0<sh shim>\0`, zeros,
/// and the end marker.
#[used]
#[unsafe(no_mangle)]
static XTASK_HOOK_SLOT: [u8; SLOT] = {
    let mut slot = [0u8; SLOT];
    let mut i = 0;
    while i < MARKER.len() {
        slot[i] = MARKER[i];
        i += 1;
    }
    let mut j = 0;
    while j < END.len() {
        slot[SLOT - END.len() + j] = END[j];
        j += 1;
    }
    slot
};

/// Arguments `sh -c SHIM HOOK ARGS…` can pass on; git gives a hook at most three.
const MAX_ARGS: usize = 64;

// The kernel starts the process with the stack pointer at `argc`, followed by `argv`, a null, `envp`.
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {start}",
    "ud2",
    start = sym start,
);

const SYS_WRITE: usize = 1;
const SYS_EXECVE: usize = 59;
const SYS_READLINK: usize = 89;
/// Room for the hook's own path joined with the relative one.
const PATH_MAX: usize = 4096;
const SYS_EXIT_GROUP: usize = 231;

unsafe fn syscall3(number: usize, a: usize, b: usize, c: usize) -> isize {
    let ret: isize;
    // SAFETY: the Linux x86-64 system call convention; the kernel clobbers rcx and r11.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") number as isize => ret,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack)
        );
    }
    ret
}

fn exit(code: usize) -> ! {
    // SAFETY: exit_group takes one integer and does not return.
    unsafe { syscall3(SYS_EXIT_GROUP, code, 0, 0) };
    loop {}
}

fn warn(text: &[u8]) {
    // SAFETY: writes `text` to standard error.
    unsafe { syscall3(SYS_WRITE, 2, text.as_ptr() as usize, text.len()) };
}

/// The length of the NUL-terminated string at `s`, within `limit` bytes. Volatile reads: the slot's
/// contents are written after compilation, and the loop must not become a call to a C library.
unsafe fn length(s: *const u8, limit: usize) -> usize {
    let mut n = 0;
    // SAFETY: the caller guarantees `limit` readable bytes.
    while n < limit && unsafe { core::ptr::read_volatile(s.add(n)) } != 0 {
        n += 1;
    }
    n
}

unsafe extern "C" fn start(stack: *const usize) -> ! {
    // SAFETY: the layout the kernel gives a new process; the slot is a static of SLOT bytes.
    unsafe {
        let argc = *stack;
        let argv = stack.add(1) as *const *const u8;
        let envp = argv.add(argc + 1);
        let slot = core::hint::black_box(XTASK_HOOK_SLOT.as_ptr());
        let room = SLOT - MARKER.len() - END.len();
        let bin = slot.add(MARKER.len());
        let bin_len = length(bin, room);
        if bin_len == 0 || bin_len >= room {
            warn(b"xtask: hook skipped: this hook was not filled in: run cargo xtask hooks install\n");
            exit(0);
        }
        syscall3(SYS_EXECVE, bin as usize, argv as usize, envp as usize);

        // Not there: the repository may have moved. The binary relative to this hook's own directory.
        let relative = bin.add(bin_len + 1);
        let relative_len = length(relative, room - bin_len - 1);
        let mut joined = core::mem::MaybeUninit::<[u8; PATH_MAX]>::uninit();
        let joined = joined.as_mut_ptr() as *mut u8;
        let own = syscall3(SYS_READLINK, b"/proc/self/exe\0".as_ptr() as usize, joined as usize, PATH_MAX);
        if relative_len > 0 && own > 0 && (own as usize) < PATH_MAX {
            let mut dir = own as usize;
            while dir > 0 && core::ptr::read_volatile(joined.add(dir - 1)) != b'/' {
                dir -= 1;
            }
            if dir > 0 && dir + relative_len < PATH_MAX {
                let mut i = 0;
                while i < relative_len {
                    core::ptr::write_volatile(joined.add(dir + i), core::ptr::read_volatile(relative.add(i)));
                    i += 1;
                }
                core::ptr::write_volatile(joined.add(dir + relative_len), 0);
                syscall3(SYS_EXECVE, joined as usize, argv as usize, envp as usize);
            }
        }

        // The binary could not be started: the shim decides what to do.
        let shim = relative.add(relative_len + 1);
        let shim_len = length(shim, room - bin_len - relative_len - 2);
        if shim_len > 0 && argc >= 1 && argc + 4 <= MAX_ARGS {
            let mut args = core::mem::MaybeUninit::<[*const u8; MAX_ARGS]>::uninit();
            let args = args.as_mut_ptr() as *mut *const u8;
            core::ptr::write_volatile(args, b"sh\0".as_ptr());
            core::ptr::write_volatile(args.add(1), b"-c\0".as_ptr());
            core::ptr::write_volatile(args.add(2), shim);
            let mut i = 0;
            while i < argc {
                core::ptr::write_volatile(args.add(3 + i), core::ptr::read_volatile(argv.add(i)));
                i += 1;
            }
            core::ptr::write_volatile(args.add(3 + argc), core::ptr::null());
            syscall3(
                SYS_EXECVE,
                b"/bin/sh\0".as_ptr() as usize,
                args as usize,
                envp as usize,
            );
        }
        warn(b"xtask: hook skipped: cannot start the kit's binary (");
        warn(core::slice::from_raw_parts(bin, bin_len));
        warn(b") nor /bin/sh: run cargo xtask hooks install\n");
        exit(0)
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    exit(1)
}
