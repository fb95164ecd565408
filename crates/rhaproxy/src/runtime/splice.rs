//! Zero-copy forwarding with `splice(2)` through a kernel pipe, used when
//! `option splice-auto`, `splice-request` or `splice-response` asks for
//! it (HAProxy never splices unless told to, and neither do we: on
//! loopback with small transfers it is not faster).
//!
//! The pipe is created when the first byte is ready and lives as long as
//! the direction; its pages belong to the kernel, not to our heap.

use std::cell::Cell;
use std::io;

use nix::fcntl::{splice, OFlag, SpliceFFlags};
use tokio::io::Interest;

use super::duplex::Io;

/// Bytes moved per `splice` call at most (the default pipe holds 64 kB).
const CHUNK: usize = 64 * 1024;

fn flags() -> SpliceFFlags {
    SpliceFFlags::SPLICE_F_NONBLOCK | SpliceFFlags::SPLICE_F_MOVE
}

/// Copy `from` → `to` until end of stream, then half-close `to`.
/// `Err(true)` means `from` failed, `Err(false)` means `to` failed.
pub async fn pump<A: Io, B: Io>(
    from: &A,
    to: &B,
    count: &Cell<u64>,
    touch_from: &dyn Fn(),
    touch_to: &dyn Fn(),
) -> Result<(), bool> {
    let mut pipe = None;
    loop {
        from.readable().await.map_err(|_| true)?;
        if pipe.is_none() {
            pipe =
                Some(nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).map_err(|_| true)?);
        }
        let Some((rd, wr)) = pipe.as_ref() else {
            return Err(true);
        };
        let got = from.try_io_fd(Interest::READABLE, || {
            splice(from.fd(), None, wr, None, CHUNK, flags()).map_err(io::Error::from)
        });
        let mut in_pipe = match got {
            Ok(0) => {
                touch_from();
                to.shutdown_write();
                return Ok(());
            }
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(_) => return Err(true),
        };
        touch_from();
        while in_pipe > 0 {
            let put = to.try_io_fd(Interest::WRITABLE, || {
                splice(rd, None, to.fd(), None, in_pipe, flags()).map_err(io::Error::from)
            });
            match put {
                Ok(w) => {
                    in_pipe -= w;
                    count.set(count.get() + w as u64);
                    touch_to();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    to.writable().await.map_err(|_| false)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(false),
            }
        }
    }
}
