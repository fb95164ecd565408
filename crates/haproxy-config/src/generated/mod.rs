//! Tables generated from the reference binary; do not edit by hand.
pub mod samples;
