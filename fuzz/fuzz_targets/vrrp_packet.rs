//! Arbitrary bytes through the VRRP codec: every decoder, with and without
//! an instance's expectations, must return without panicking; whatever
//! decodes must encode again to the same VRRP message.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use rkeepalived::vrrp::packet::{
    decode_ipv4, decode_ipv6, inspect_ipv4, inspect_ipv6, peek_vrid_ipv4, peek_vrid_ipv6, Auth,
    AuthConfig, Expect, Version, GROUP_V6,
};

fuzz_target!(|data: &[u8]| {
    let vips = [IpAddr::V4(Ipv4Addr::new(198, 51, 100, 3))];
    let src6 = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    let _ = peek_vrid_ipv4(data);
    let _ = peek_vrid_ipv6(data);
    for unicast in [false, true] {
        for auth in [
            AuthConfig::None,
            AuthConfig::Pass(Auth::key(b"SOMEPASS")),
            AuthConfig::Ah(Auth::key(b"SOMEPASS")),
        ] {
            let e = Expect {
                auth,
                unicast,
                ..Expect::new(Version::V2, 100, &vips)
            };
            let _ = decode_ipv4(data, &e);
        }
        let e3 = Expect {
            unicast,
            ..Expect::new(Version::V3, 100, &vips)
        };
        let _ = decode_ipv4(data, &e3);
        let _ = decode_ipv6(data, src6, GROUP_V6, Some(255), &e3);
    }
    if let Ok(r) = inspect_ipv4(data) {
        if r.ah.is_none() && !r.old_checksum {
            let ihl = usize::from(data[0] & 0x0f) * 4;
            let again = r
                .advert
                .encode(r.src, r.dst)
                .expect("decoded advert encodes");
            // v3 reserved bits are not kept, nor the auth bytes of auth
            // type 0 (sent as zeros, ignored on receipt).
            let zero_auth = data.len() >= 8 && data[data.len() - 8..] == [0; 8];
            if r.advert.version == Version::V2 && (zero_auth || r.advert.auth != Auth::None) {
                assert_eq!(again, &data[ihl..]);
            }
        }
    }
    if let Ok(r) = inspect_ipv6(data, src6, GROUP_V6, None) {
        let _ = r
            .advert
            .encode(r.src, r.dst)
            .expect("decoded advert encodes");
    }
});
