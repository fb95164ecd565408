//! Transfer buffers, lent only while bytes are in flight.
//!
//! An idle proxied connection holds no buffer at all: a direction takes
//! one when its socket is readable and gives it back once everything it
//! read has been written. That is what keeps the per-connection memory
//! near HAProxy's (a buffer per connection for its whole life costs about
//! 16 kB each). The pool is per thread, so taking and giving back need no
//! lock; it keeps a bounded number of spare buffers.

use std::cell::RefCell;

/// HAProxy's `tune.bufsize` default.
pub const BUF_SIZE: usize = 16 * 1024;

/// Spare buffers kept per thread; beyond that they are freed.
const MAX_SPARE: usize = 64;

thread_local! {
    static SPARE: RefCell<Vec<Box<[u8]>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer borrowed from the pool; it goes back when dropped.
pub struct Buf(Option<Box<[u8]>>);

impl Buf {
    pub fn take() -> Buf {
        let b = SPARE
            .with(|s| s.borrow_mut().pop())
            .unwrap_or_else(|| vec![0u8; BUF_SIZE].into_boxed_slice());
        Buf(Some(b))
    }
}

impl std::ops::Deref for Buf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.0.as_deref().unwrap_or(&[])
    }
}

impl std::ops::DerefMut for Buf {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.0.as_deref_mut().unwrap_or(&mut [])
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            SPARE.with(|s| {
                let mut s = s.borrow_mut();
                if s.len() < MAX_SPARE {
                    s.push(b);
                }
            });
        }
    }
}

/// Spare buffers currently held by this thread (for tests and stats).
pub fn spare() -> usize {
    SPARE.with(|s| s.borrow().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused_and_bounded() {
        let before = spare();
        {
            let mut a = Buf::take();
            a[0] = 7;
            assert_eq!(a.len(), BUF_SIZE);
        }
        assert_eq!(spare(), (before + 1).min(MAX_SPARE));
        let many: Vec<Buf> = (0..MAX_SPARE + 10).map(|_| Buf::take()).collect();
        assert_eq!(spare(), 0);
        drop(many);
        assert_eq!(spare(), MAX_SPARE);
    }
}
