//! What a service is opened with, for the services that need nothing else:
//! whom it answers as (account, region), where its SQLite file lives, and
//! the server's clock.

use std::path::PathBuf;

use crate::Clock;

#[derive(Debug, Clone)]
pub struct ServiceSettings {
    pub account_id: String,
    pub region: String,
    /// The service's own directory under the data directory; `None` keeps
    /// its state in memory (tests).
    pub dir: Option<PathBuf>,
    pub clock: Clock,
}

impl Default for ServiceSettings {
    /// lakestack's default account and region, in memory, on a real-time clock.
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            dir: None,
            clock: Clock::default(),
        }
    }
}
