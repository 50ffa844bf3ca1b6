//! A plain file mapped into memory, so that it can be searched where it lies in the
//! page cache instead of being copied out of it, and that stays readable when the file
//! shrinks while it is read.
//!
//! A mapped page past the end of a file that was truncated under the reader (logrotate's
//! `copytruncate`) raises SIGBUS on access, which would kill the process. A SIGBUS
//! handler (the guard) maps zero pages over the rest of the mapping instead, so the lost
//! bytes read as NULs (which the line reader already treats as damage) and
//! [`MappedFile::shrank`] says it happened. A SIGBUS anywhere else goes on to the
//! handler that was installed before, or to the default action.
//!
//! A signal handler belongs to the whole process, so the library never installs it on
//! its own: the program does, with [`crate::input::install_sigbus_guard`]. Until then
//! nothing is mapped and plain files are read by position.
//!
//! This is where the crate's unsafe code lives: `mmap`/`munmap`/`madvise`, and the
//! handler.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Mappings the SIGBUS handler may repair; a mapping that finds no free slot is not
/// made (the caller reads the file instead).
const SLOTS: usize = 64;

struct Slot {
    /// Start address and length in bytes (rounded up to pages); 0 when free.
    start: AtomicUsize,
    len: AtomicUsize,
    shrank: AtomicBool,
}

static TABLE: [Slot; SLOTS] = [const {
    Slot {
        start: AtomicUsize::new(0),
        len: AtomicUsize::new(0),
        shrank: AtomicBool::new(false),
    }
}; SLOTS];

/// The SIGBUS action before ours; set once, before our handler can run.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();
static PAGE: AtomicUsize = AtomicUsize::new(4096);

/// A read-only private mapping of a whole regular file, as long as it was when mapped.
pub struct MappedFile {
    ptr: *mut libc::c_void,
    len: usize,
    slot: usize,
}

// The mapping is read-only and outlives every slice handed out (they borrow `self`).
unsafe impl Send for MappedFile {}
unsafe impl Sync for MappedFile {}

impl MappedFile {
    /// Maps `file` (a regular file of at least one byte). Fails when it cannot be
    /// mapped, or when the SIGBUS guard is not installed
    /// ([`crate::input::install_sigbus_guard`]); the caller then reads it.
    ///
    /// # Safety
    ///
    /// [`MappedFile::bytes`] hands out the file's bytes as a `&[u8]`, which must not
    /// change while it is borrowed: nobody (this process or another) may rewrite the
    /// file's first `len` bytes in place while the mapping lives. Appending is fine
    /// (the mapping ends where the file ended), and so is truncation, which the guard
    /// turns into NUL bytes instead of a SIGBUS. Log files are written by appending
    /// and cut by truncation (logrotate's `copytruncate`); a file rewritten in place
    /// must be read, not mapped.
    pub unsafe fn map(file: &File) -> io::Result<MappedFile> {
        let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
        if len == 0 {
            return Err(io::Error::other("an empty file is not mapped"));
        }
        if !guard_installed() {
            return Err(io::Error::other(
                "the SIGBUS guard is not installed (input::install_sigbus_guard)",
            ));
        }
        let Some(slot) = TABLE.iter().position(|s| {
            s.start
                .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        }) else {
            return Err(io::Error::other("too many files mapped at once"));
        };
        // SAFETY: a new read-only private mapping of a file we hold open; the kernel
        // chooses the address, so no existing memory is affected.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        let s = &TABLE[slot];
        if ptr == libc::MAP_FAILED {
            let e = io::Error::last_os_error();
            s.start.store(0, Ordering::Release);
            return Err(e);
        }
        s.shrank.store(false, Ordering::Release);
        s.len.store(round_up(len), Ordering::Release);
        s.start.store(ptr as usize, Ordering::Release);
        Ok(MappedFile { ptr, len, slot })
    }

    /// The file's bytes (NULs where it shrank under the reader).
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr..ptr + len` is mapped readable for the life of `self`; pages the
        // file lost are replaced by zero pages, never unmapped.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }

    /// Whether the file shrank while mapped: bytes past its new end read as NULs.
    pub fn shrank(&self) -> bool {
        TABLE[self.slot].shrank.load(Ordering::Acquire)
    }

    /// Maps the pages of `bytes()[start..start + len]` in one call (a chunk is about to
    /// be searched), instead of taking a page fault every few pages. Only advice: on a
    /// kernel without `MADV_POPULATE_READ` (before 5.14) the search faults them in.
    pub fn populate(&self, start: usize, len: usize) {
        let page = PAGE.load(Ordering::Relaxed);
        let from = start.min(self.len) & !(page - 1);
        let to = start.saturating_add(len).min(self.len);
        if to > from {
            // SAFETY: advice on a range inside our own read-only file mapping; populating
            // reads pages in, it changes no data. A range past the file's end (it
            // shrank) fails with an error, which is ignored.
            unsafe {
                libc::madvise(
                    (self.ptr as *mut u8).add(from).cast(),
                    to - from,
                    libc::MADV_POPULATE_READ,
                )
            };
        }
    }

    /// Lets the kernel drop this process's page mappings of `bytes()[..upto]` (rounded
    /// down to whole pages), so that what was read does not stay in the resident set.
    /// The pages stay in the page cache; read again, they are mapped again.
    pub fn release_before(&self, upto: usize) {
        let end = upto.min(self.len) & !(PAGE.load(Ordering::Relaxed) - 1);
        if end > 0 {
            // SAFETY: advice on our own read-only file mapping; MADV_DONTNEED on a
            // private file mapping only drops page-table entries (no data is lost).
            unsafe { libc::madvise(self.ptr, end, libc::MADV_DONTNEED) };
        }
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        let s = &TABLE[self.slot];
        // The handler must not touch the range once it may be reused.
        s.start.store(usize::MAX, Ordering::Release);
        s.len.store(0, Ordering::Release);
        // SAFETY: unmaps exactly the range mapped in `map`; no slice of it outlives
        // `self`.
        unsafe { libc::munmap(self.ptr, self.len) };
        s.start.store(0, Ordering::Release);
    }
}

fn round_up(len: usize) -> usize {
    let page = PAGE.load(Ordering::Relaxed);
    len.div_ceil(page) * page
}

/// Whether [`MappedFile::shrank`]'s handler is in place.
static INSTALLED: OnceLock<Result<(), i32>> = OnceLock::new();

fn guard_installed() -> bool {
    matches!(INSTALLED.get(), Some(Ok(())))
}

/// Installs the SIGBUS handler (once; later calls return the first outcome). See
/// [`crate::input::install_sigbus_guard`].
pub(crate) fn install_guard() -> io::Result<()> {
    let done = INSTALLED.get_or_init(|| {
        // SAFETY: sysconf and sigaction with initialised arguments; the handler only
        // uses async-signal-safe calls (mmap, sigaction) and atomics.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page > 0 {
                PAGE.store(page as usize, Ordering::Relaxed);
            }
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            // Set before the handler is, so that it is always there when it runs.
            let _ = PREVIOUS.set(old);
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_sigbus as *const () as usize;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut new.sa_mask);
            if libc::sigaction(libc::SIGBUS, &new, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            Ok(())
        }
    });
    done.map_err(io::Error::from_raw_os_error)
}

extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    let page = PAGE.load(Ordering::Relaxed);
    for s in &TABLE {
        let start = s.start.load(Ordering::Acquire);
        let len = s.len.load(Ordering::Acquire);
        if start == 0 || start == usize::MAX || addr < start || addr >= start + len {
            continue;
        }
        let from = addr & !(page - 1);
        // SAFETY: replaces the rest of our own mapping (from the faulting page to its
        // end) with zero pages; nothing else lives in that range.
        let r = unsafe {
            libc::mmap(
                from as *mut libc::c_void,
                start + len - from,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if r != libc::MAP_FAILED {
            s.shrank.store(true, Ordering::Release);
            return;
        }
    }
    // Not a page of ours: do what would have happened without this handler.
    match PREVIOUS.get() {
        Some(prev) if prev.sa_sigaction != libc::SIG_DFL && prev.sa_sigaction != libc::SIG_IGN => {
            // SAFETY: calling the handler that was installed before ours, with the
            // signature its flags say it has.
            unsafe {
                if prev.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(prev.sa_sigaction);
                    f(sig, info, ctx);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
                    f(sig);
                }
            }
        }
        _ => {
            // SAFETY: restores the default action; the faulting access repeats on
            // return and the process ends as it would have.
            unsafe {
                let mut dfl: libc::sigaction = std::mem::zeroed();
                dfl.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(libc::SIGBUS, &dfl, std::ptr::null_mut());
            }
        }
    }
}

/// Maps a test's own temporary file, with the guard installed.
#[cfg(test)]
pub(crate) fn map_for_test(file: &File) -> MappedFile {
    install_guard().expect("the SIGBUS guard installs");
    // SAFETY: the tests change their temporary files only by truncating them.
    unsafe { MappedFile::map(file) }.expect("a non-empty file maps")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn maps_a_file_and_survives_its_truncation() {
        let page = PAGE.load(Ordering::Relaxed).max(4096);
        let mut f = tempfile::tempfile().unwrap();
        let text: Vec<u8> = (0..page * 4).map(|i| b'a' + (i % 26) as u8).collect();
        f.write_all(&text).unwrap();
        let m = map_for_test(&f);
        assert_eq!(m.bytes(), &text[..]);
        assert!(!m.shrank());
        // As copytruncate does, while the mapping is being read.
        f.set_len(page as u64 + 10).unwrap();
        let bytes = m.bytes();
        assert_eq!(&bytes[..page + 10], &text[..page + 10]);
        // Touches every lost page: each would raise SIGBUS without the handler.
        assert!(bytes[page + 10..].iter().all(|&b| b == 0));
        assert!(m.shrank());
        m.release_before(page * 2);
        assert_eq!(&m.bytes()[..page + 10], &text[..page + 10]);
    }

    #[test]
    fn an_empty_file_is_not_mapped() {
        install_guard().unwrap();
        let f = tempfile::tempfile().unwrap();
        // SAFETY: the file is this test's own and is not changed.
        assert!(unsafe { MappedFile::map(&f) }.is_err());
    }
}
