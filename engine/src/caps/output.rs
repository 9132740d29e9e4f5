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

    /// Keeps what fits of `data` and returns how many bytes that was; the
    /// write itself always succeeds, so the guest neither retries nor
    /// notices. What does not fit is dropped without being copied.
    pub(crate) fn write(&mut self, data: &[u8]) -> usize {
        let room = self.limit.saturating_sub(self.bytes.len());
        let take = data.len().min(room);
        if take < data.len() {
            self.truncated = true;
        }
        self.bytes.extend_from_slice(&data[..take]);
        take
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
