//! Integration tests: the engine against the local AWS emulator, through the real SDK
//! clients over HTTP. Each test starts its own emulator, so tests are independent.

mod compute_catalogue;
mod cross_account;
mod data_catalogue;
mod ec2_catalogue;
mod ec2_ingress;
mod engine_edges;
mod events;
mod iam_catalogue;
mod isolate;
mod rds_catalogue;
mod readme;
mod s3_account;
mod s3_bucket;
mod s3_catalogue;
mod template;
mod undo;
