//! One TOML fragment, on its own and added to a minimal valid matrix, through
//! load, validate, the three diagnostic formats and (when valid) route and
//! publish.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    escalate_fuzz::exercise_fragment("matrix/fuzz.toml", data, escalate_fuzz::MINIMAL_TOML);
});
