//! Kernel release strings (`uname -r` as the CPU line prints it) and the page size.

use crate::event::OomEvent;

/// A parsed kernel release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KernelVersion {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Patch level (0 when absent).
    pub patch: u32,
    /// Red Hat Enterprise Linux major release for `.elN` kernels (they mix eras).
    pub rhel: Option<u32>,
}

impl KernelVersion {
    /// Parses `6.18.44-fc-v669`, `3.10.0-957.12.2.el7.x86_64`, `4.18.0-147.el8_1.x86_64`.
    pub fn parse(release: &str) -> Option<Self> {
        let mut nums = release
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        let major: u32 = nums.next()?.parse().ok()?;
        let minor: u32 = nums.next()?.parse().ok()?;
        let rest = release
            .split_once('.')
            .and_then(|(_, r)| r.split_once('.'))
            .map(|(_, r)| r)
            .unwrap_or("");
        let patch: u32 = rest
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        let rhel = release.find(".el").and_then(|i| {
            release[i + 3..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        });
        if major == 0 || major > 20 {
            return None;
        }
        Some(KernelVersion {
            major,
            minor,
            patch,
            rhel,
        })
    }

    /// Whether this is at least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

/// The page size in kB and where it came from: the first buddy-list bucket
/// (`1*4kB`), else the victim's `total-vm` kB against its task-table pages, else
/// 4 kB by assumption.
pub fn page_size(ev: &OomEvent) -> (u64, &'static str) {
    if let Some(kb) = ev.mem_info.as_ref().and_then(|m| m.page_size_kb)
        && kb > 0
    {
        return (kb, "Mem-Info buddy lists");
    }
    for k in &ev.killed {
        let (Some(vm_kb), Some(row)) =
            (k.total_vm_kb, ev.tasks.rows.iter().find(|r| r.pid == k.pid))
        else {
            continue;
        };
        if let Some(pages) = row.total_vm
            && pages > 0
        {
            let ratio = vm_kb as f64 / pages as f64;
            for size in [4u64, 8, 16, 64] {
                if (ratio - size as f64).abs() < size as f64 * 0.02 {
                    return (size, "the victim's total-vm against its task-table row");
                }
            }
        }
    }
    (
        4,
        "assumed 4 kB (no buddy lists or victim row to read it from)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases() {
        let v = KernelVersion::parse("3.10.0-957.12.2.el7.x86_64").unwrap();
        assert_eq!((v.major, v.minor, v.patch, v.rhel), (3, 10, 0, Some(7)));
        let v = KernelVersion::parse("6.18.44-fc-v669").unwrap();
        assert_eq!((v.major, v.minor, v.patch, v.rhel), (6, 18, 44, None));
        let v = KernelVersion::parse("4.18.0-147.mt20200626.413.el8_1.x86_64").unwrap();
        assert_eq!((v.major, v.minor, v.rhel), (4, 18, Some(8)));
        let v = KernelVersion::parse("2.6.32-220.7.1.el6.x86_64").unwrap();
        assert_eq!((v.major, v.minor, v.patch, v.rhel), (2, 6, 32, Some(6)));
        assert!(KernelVersion::parse("banana").is_none());
        assert!(v.at_least(2, 6) && !v.at_least(3, 0));
    }
}
