//! Lambda: function policies.

pub mod public_invoke;
