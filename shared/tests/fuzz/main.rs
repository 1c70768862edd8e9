//! Bounded fuzzing of hubfix's input boundary with `proptest`: the event parser, control
//! resolution, the resource-name validators and tolerant reading (a quirk in a field
//! hubfix does not act on never changes its decision), on arbitrary JSON, hostile
//! strings and near-valid events. Each property runs a fixed number of cases
//! (`PROPTEST_CASES` raises it for a longer run); a failure is shrunk, printed, and
//! saved beside its module so the next run replays it first.

mod control_resolve;
mod event_parse;
mod resource_names;
mod strategies;
mod tolerant_reading;
