//! CodeBuild: projects.

pub mod credentials;
