//! The matrix shipped with the tool, compiled into the binary so that an
//! installed `escalate` works anywhere. `build.rs` lists the files of
//! `matrix/` (as `FILES`) and `matrix/tests/` (as `TESTS`), as
//! (path, text) pairs.

include!(concat!(env!("OUT_DIR"), "/shipped.rs"));
