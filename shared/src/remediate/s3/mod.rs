//! S3: Block Public Access of buckets and the account, bucket configuration, bucket
//! policies.

pub mod block_public_access;
pub mod bucket;
pub mod policy;
