//! Integration tests: the engine against the local AWS emulator, through the real SDK
//! clients over HTTP. Each test starts its own emulator, so tests are independent.

mod account_contact;
mod audit;
mod compute_catalogue;
mod corpus;
mod cross_account;
mod data_catalogue;
mod ec2_catalogue;
mod ec2_ingress;
mod elasticache_catalogue;
mod engine_edges;
mod events;
mod faults;
mod iam_catalogue;
mod isolate;
mod logging_catalogue;
mod makefile;
mod monitoring_catalogue;
mod public_policies;
mod queue;
mod rds_catalogue;
mod readme;
mod realworld;
mod redshift_catalogue;
mod reliability;
mod report;
mod round_trip;
mod runbooks;
mod s3_account;
mod s3_bucket;
mod s3_catalogue;
mod scan;
mod storm;
mod template;
mod trail_catalogue;
mod undo;
