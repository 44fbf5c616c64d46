//! The machine and the containers inside it: root fields, the query language every state
//! inherits, state maps and the sub-machines of Parallel branches and Map processors.

use serde_json::{Map, Value};

use super::checker::{Checker, IntRange};
use super::fields::{MACHINE_REQUIRED, MAX_STATE_NAME_LENGTH, ROOT_FIELDS};
use super::location::Loc;
use super::{Code, msg};
use crate::asl::model::{Definition, QueryLanguage, States, SubMachine};

impl Checker<'_> {
    pub(super) fn definition(&mut self, root: &Map<String, Value>) -> Option<Definition> {
        let loc = Loc::root();
        self.unsupported_fields(root, &[ROOT_FIELDS], &loc);
        self.required(root, MACHINE_REQUIRED, &loc);
        let comment = self.string(root, "Comment", &loc);
        let version = self.enumerated(root, "Version", &["1.0"], &loc);
        let timeout_seconds = self.integer(root, "TimeoutSeconds", &loc, IntRange::at_least(0));
        let query_language = self.machine_language(root, &loc);
        let start_at = self.string(root, "StartAt", &loc);
        let states = self.states_field(root, &loc);
        Some(Definition {
            comment,
            start_at: start_at?,
            states: states?,
            timeout_seconds,
            version,
            query_language,
        })
    }

    /// Sets the language every state inherits. Only the exact string `JSONPath` means JSONPath:
    /// any other declared value resolves to JSONata (on top of the enum diagnostic).
    fn machine_language(&mut self, root: &Map<String, Value>, loc: &Loc) -> Option<QueryLanguage> {
        let declared = root.get("QueryLanguage")?;
        let language = self.declared_language(declared, &loc.field("QueryLanguage"));
        self.machine_language = language;
        QueryLanguage::from_name(declared.as_str().unwrap_or_default())
    }

    pub(super) fn declared_language(&mut self, declared: &Value, loc: &Loc) -> QueryLanguage {
        match declared.as_str() {
            Some(name) => {
                if QueryLanguage::from_name(name).is_none() {
                    self.schema(loc, msg::one_of_values(&["JSONPath", "JSONata"]));
                }
                if name == "JSONPath" {
                    QueryLanguage::JsonPath
                } else {
                    QueryLanguage::Jsonata
                }
            }
            None => {
                self.schema(loc, msg::expected_type("String"));
                QueryLanguage::Jsonata
            }
        }
    }

    fn states_field(&mut self, obj: &Map<String, Value>, loc: &Loc) -> Option<States> {
        let states = self.object(obj, "States", loc)?;
        self.states(states, &loc.field("States"))
    }

    fn states(&mut self, states: &Map<String, Value>, loc: &Loc) -> Option<States> {
        let mut parsed = States::new();
        let mut complete = true;
        for (name, value) in states {
            let at = loc.field(name);
            self.state_name(name, &at);
            match self.state(value, &at) {
                Some(state) => parsed.insert(name.clone(), state),
                None => complete = false,
            }
        }
        complete.then_some(parsed)
    }

    fn state_name(&mut self, name: &str, loc: &Loc) {
        // Java counts UTF-16 units, and so does the service's limit.
        if name.encode_utf16().count() > MAX_STATE_NAME_LENGTH {
            self.report(Code::InvalidStateName, loc, msg::state_name_too_long(name));
        }
        if !self.state_names.insert(name.to_string()) {
            self.report(Code::DuplicateStateName, loc, msg::duplicate_state(name));
        }
    }

    pub(super) fn sub_machine(&mut self, value: &Value, allowed: &[&str], loc: &Loc) -> Option<SubMachine> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        self.unsupported_fields(obj, &[allowed], loc);
        self.required(obj, MACHINE_REQUIRED, loc);
        let comment = self.string(obj, "Comment", loc);
        let start_at = self.string(obj, "StartAt", loc);
        let states = self.states_field(obj, loc);
        Some(SubMachine {
            comment,
            start_at: start_at?,
            states: states?,
        })
    }
}
