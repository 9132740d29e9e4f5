//! Captured output that keeps at most its limit and says when it clipped.

#[derive(Debug, Default)]
pub(crate) struct Output {
    bytes: Vec<u8>,
    limit: usize,
    truncated: bool,
}

impl Output {
    /// A new invocation: empty, with this limit.
    pub(crate) fn begin(&mut self, limit: usize) {
        self.bytes.clear();
        self.limit = limit;
        self.truncated = false;
    }

    /// Keeps what fits of `data`; the write itself always succeeds, so the
    /// guest neither retries nor notices.
    #[cfg(test)]
    pub(crate) fn write(&mut self, data: &[u8]) {
        self.append_from(data.len() as u64, |buf| {
            buf.copy_from_slice(&data[..buf.len()]);
            true
        });
    }

    /// Appends what fits of `len` bytes that `read` fills in (it gets a
    /// buffer of the size that fits, and says whether it could read); the
    /// rest is dropped without being read. Returns how many bytes were
    /// kept, or `None` when `read` failed.
    pub(crate) fn append_from(
        &mut self,
        len: u64,
        read: impl FnOnce(&mut [u8]) -> bool,
    ) -> Option<u64> {
        let room = self.limit.saturating_sub(self.bytes.len());
        let take = usize::try_from(len).map_or(room, |len| len.min(room));
        if (take as u64) < len {
            self.truncated = true;
        }
        if take == 0 {
            return Some(0);
        }
        let start = self.bytes.len();
        self.bytes.resize(start + take, 0);
        if read(&mut self.bytes[start..]) {
            Some(take as u64)
        } else {
            self.bytes.truncate(start);
            None
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn truncated(&self) -> bool {
        self.truncated
    }
}

#[cfg(test)]
mod tests {
    use super::Output;

    #[test]
    fn clips_at_exactly_the_limit() {
        let mut out = Output::default();
        out.begin(5);
        out.write(b"abc");
        assert!(!out.truncated());
        out.write(b"de");
        assert_eq!(out.bytes(), b"abcde");
        assert!(!out.truncated(), "exactly at the limit is not clipped");
        out.write(b"f");
        assert_eq!(out.bytes(), b"abcde");
        assert!(out.truncated());
        out.begin(0);
        out.write(b"x");
        assert_eq!(out.bytes(), b"");
        assert!(out.truncated());
    }
}
