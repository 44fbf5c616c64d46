//! Why handing something to another service failed, for the services that
//! deliver to others (SNS to queues and functions, S3's event
//! notifications): the answer decides whether the sender retries.

/// A failed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// The destination refused it for good (it does not exist, or the
    /// message is not acceptable): retrying would not help.
    Permanent(String),
    /// The destination could not take it now (its storage failed, it is
    /// not open yet): the sender tries again later.
    Transient(String),
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Permanent(m) | Self::Transient(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DeliveryError {}
