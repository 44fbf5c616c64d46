//! Execution logs in CloudWatch Logs, as a state machine's
//! `loggingConfiguration` asks: the history events of the level (`ALL`,
//! `ERROR`, `FATAL`) as AWS writes them, one JSON event per history event,
//! into the destination group, on a stream per execution
//! (`states/<machine>/<yyyy-mm-dd-HH-MM>/<id>`). They are handed to the
//! integrations when the execution ends.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::history::HistoryEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    All,
    Error,
    Fatal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    pub level: Level,
    pub include_data: bool,
    /// `arn:aws:logs:<region>:<account>:log-group:<name>:*`.
    pub group_arn: String,
}

impl LogSettings {
    /// What a machine's `loggingConfiguration` asks for; `None` when it logs
    /// nothing (`OFF`, or no destination).
    pub fn of(config: &Value) -> Option<Self> {
        let level = match config["level"].as_str()? {
            "ALL" => Level::All,
            "ERROR" => Level::Error,
            "FATAL" => Level::Fatal,
            _ => return None,
        };
        let group_arn = config["destinations"]
            .as_array()?
            .iter()
            .find_map(|d| d["cloudWatchLogsLogGroup"]["logGroupArn"].as_str())?
            .to_owned();
        Some(Self {
            level,
            include_data: config["includeExecutionData"].as_bool().unwrap_or(false),
            group_arn,
        })
    }

    /// The log group's name, from its ARN.
    pub fn group(&self) -> Option<&str> {
        let rest = self.group_arn.split_once(":log-group:")?.1;
        Some(rest.strip_suffix(":*").unwrap_or(rest))
    }

    /// The stream an execution's events go to.
    pub fn stream(machine_name: &str, started: DateTime<Utc>, execution_arn: &str) -> String {
        let id: String = execution_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        format!("states/{machine_name}/{}/{id}", started.format("%Y-%m-%d-%H-%M"))
    }

    /// Whether an event of `kind` is logged at this level.
    fn logs(&self, kind: &str) -> bool {
        let fatal = matches!(kind, "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut");
        match self.level {
            Level::All => true,
            Level::Fatal => fatal,
            Level::Error => {
                fatal
                    || kind == "FailStateEntered"
                    || kind.ends_with("Failed")
                    || kind.ends_with("TimedOut")
                    || kind.ends_with("Aborted")
            }
        }
    }

    /// The log events (epoch ms, message) of `events` at this level.
    pub fn events(&self, execution_arn: &str, redrive_count: i64, events: &[HistoryEvent]) -> Vec<(i64, String)> {
        events
            .iter()
            .filter(|e| self.logs(e.kind))
            .map(|e| {
                let at = e.timestamp.timestamp_millis();
                let mut message = json!({
                    "id": e.id.to_string(),
                    "type": e.kind,
                    "details": self.details(&e.details),
                    "previous_event_id": e.previous_event_id.to_string(),
                    "event_timestamp": at.to_string(),
                    "execution_arn": execution_arn,
                });
                if redrive_count > 0 {
                    message["redrive_count"] = redrive_count.to_string().into();
                }
                (at, message.to_string())
            })
            .collect()
    }

    /// An event's details, without its input and output unless the
    /// configuration includes execution data.
    fn details(&self, details: &Value) -> Value {
        let Value::Object(d) = details else {
            return json!({});
        };
        let mut out = Map::new();
        for (k, v) in d {
            let data = matches!(k.as_str(), "input" | "output" | "inputDetails" | "outputDetails");
            if self.include_data || !data {
                out.insert(k.clone(), v.clone());
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, kind: &'static str, details: Value) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: id - 1,
            timestamp: DateTime::from_timestamp_millis(1_700_000_000_000 + id).unwrap(),
            kind,
            details,
        }
    }

    #[test]
    fn levels_destinations_and_the_event_shape() {
        let config = json!({"level": "ERROR", "includeExecutionData": false, "destinations": [
            {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/sfn/app:*"}}]});
        let l = LogSettings::of(&config).unwrap();
        assert_eq!(l.group(), Some("/sfn/app"));
        assert_eq!(LogSettings::of(&json!({"level": "OFF"})), None);
        assert_eq!(LogSettings::of(&json!({"level": "ALL"})), None);
        let events = [
            event(1, "ExecutionStarted", json!({"input": "{}", "roleArn": "r"})),
            event(2, "TaskFailed", json!({"error": "E", "cause": "c"})),
            event(3, "ExecutionFailed", json!({"error": "E", "cause": "c"})),
        ];
        let got = l.events("arn:aws:states:us-east-1:123456789012:execution:m:e1", 0, &events);
        let kinds: Vec<Value> = got
            .iter()
            .map(|(_, m)| serde_json::from_str::<Value>(m).unwrap()["type"].clone())
            .collect();
        assert_eq!(kinds, [json!("TaskFailed"), json!("ExecutionFailed")]);
        let first: Value = serde_json::from_str(&got[0].1).unwrap();
        assert_eq!(
            first,
            json!({"id": "2", "type": "TaskFailed", "details": {"error": "E", "cause": "c"}, "previous_event_id": "1",
                   "event_timestamp": "1700000000002", "execution_arn": "arn:aws:states:us-east-1:123456789012:execution:m:e1"})
        );
        let all = LogSettings { level: Level::All, ..l };
        let started: Value = serde_json::from_str(&all.events("x", 0, &events)[0].1).unwrap();
        assert_eq!(started["details"], json!({"roleArn": "r"}));
        assert_eq!(
            LogSettings::stream(
                "m",
                DateTime::from_timestamp_millis(0).unwrap(),
                "arn:x:execution:m:ab-cd-ef-12345"
            ),
            "states/m/1970-01-01-00-00/abcdef12"
        );
    }
}
