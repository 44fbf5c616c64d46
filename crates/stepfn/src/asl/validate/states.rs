//! One state: its type and language, the fields every state shares, and the state types small
//! enough not to need a module of their own (Pass, Choice, Wait, Succeed, Fail, Parallel).

use serde_json::{Map, Value};

use super::checker::{Checker, IntRange, StateCtx};
use super::fields::{
    BRANCH_FIELDS, JSONATA_ONLY, JSONPATH_ONLY, Kind, MAX_SECONDS, STATE_COMMON, STATE_TYPES, WAIT_FIELDS, type_fields,
};
use super::location::Loc;
use super::msg;
use super::syntax::{is_intrinsic_call, is_jsonata_expression, is_rfc3339, path_shape};
use super::values::PathRule;
use crate::asl::model::{
    ChoiceState, CommonFields, FailState, OptionalPath, ParallelState, PassState, QueryLanguage, State, SubMachine,
    SucceedState, Transition, ValueOrPath, WaitFor, WaitState,
};

impl Checker<'_> {
    pub(super) fn state(&mut self, value: &Value, loc: &Loc) -> Option<State> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        let (language, downgraded) = self.state_language(obj, loc);
        let kind = self.state_kind(obj, loc)?;
        let allowed = type_fields(kind);
        self.unsupported_fields(obj, &[STATE_COMMON, allowed], loc);
        // Measured: a refused downgrade is the whole answer about languages for that state.
        if !downgraded {
            self.language_fields(obj, allowed, language, loc);
        }
        let ctx = StateCtx { obj, loc, language };
        if language == QueryLanguage::Jsonata {
            self.jsonata_expressions(obj, loc);
        }
        let common = self.common_fields(ctx, kind);
        match kind {
            Kind::Pass => self.pass(ctx, common).map(State::Pass),
            Kind::Task => self.task(ctx, common).map(State::Task),
            Kind::Choice => self.choice(ctx, common).map(State::Choice),
            Kind::Wait => self.wait(ctx, common).map(State::Wait),
            Kind::Succeed => Some(State::Succeed(SucceedState { common })),
            Kind::Fail => self.fail(ctx, common).map(State::Fail),
            Kind::Parallel => self.parallel(ctx, common).map(State::Parallel),
            Kind::Map => self.map(ctx, common).map(|map| State::Map(Box::new(map))),
        }
    }

    /// The state's effective language and whether it illegally downgrades a JSONata machine.
    fn state_language(&mut self, obj: &Map<String, Value>, loc: &Loc) -> (QueryLanguage, bool) {
        let Some(declared) = obj.get("QueryLanguage") else {
            // Nested states inherit the machine's language, not their Map's or Parallel's.
            return (self.machine_language, false);
        };
        let language = self.declared_language(declared, &loc.field("QueryLanguage"));
        let downgraded = self.machine_language == QueryLanguage::Jsonata && language == QueryLanguage::JsonPath;
        if downgraded {
            self.schema(loc, msg::JSONATA_DOWNGRADE);
        }
        (language, downgraded)
    }

    fn state_kind(&mut self, obj: &Map<String, Value>, loc: &Loc) -> Option<Kind> {
        let Some(value) = obj.get("Type") else {
            self.schema(loc, msg::required(&["Type"]));
            return None;
        };
        let Some(name) = value.as_str() else {
            self.schema(&loc.field("Type"), msg::expected_type("String"));
            return None;
        };
        let kind = Kind::from_name(name);
        if kind.is_none() {
            self.schema(&loc.field("Type"), msg::one_of_values(STATE_TYPES));
        }
        kind
    }

    /// Fields of the other query language, located at the state as AWS does.
    pub(super) fn language_fields(
        &mut self,
        obj: &Map<String, Value>,
        allowed: &[&str],
        language: QueryLanguage,
        loc: &Loc,
    ) {
        for key in obj.keys().filter(|key| allowed.contains(&key.as_str())) {
            let message = match language {
                QueryLanguage::Jsonata if JSONPATH_ONLY.contains(&key.as_str()) => {
                    msg::wrong_language("JSONata", key, "JSONPath")
                }
                QueryLanguage::JsonPath if JSONATA_ONLY.contains(&key.as_str()) => {
                    msg::wrong_language("JSONPath", key, "JSONata")
                }
                _ => continue,
            };
            self.schema(loc, message);
        }
    }

    /// `...Path` twins inside Map sub-objects (`ItemBatcher`, `ReaderConfig`) are JSONPath-only
    /// too; without this a JSONata machine would silently lose them.
    pub(super) fn nested_path_fields(&mut self, obj: &Map<String, Value>, language: QueryLanguage, loc: &Loc) {
        if language != QueryLanguage::Jsonata {
            return;
        }
        for key in obj.keys().filter(|key| key.ends_with("Path")) {
            self.schema(loc, msg::wrong_language("JSONata", key, "JSONPath"));
        }
    }

    fn common_fields(&mut self, ctx: StateCtx<'_, '_>, kind: Kind) -> CommonFields {
        let loc = ctx.loc;
        let mut common = CommonFields {
            comment: self.string(ctx.obj, "Comment", loc),
            query_language: ctx
                .get("QueryLanguage")
                .and_then(Value::as_str)
                .and_then(QueryLanguage::from_name),
            ..CommonFields::default()
        };
        if kind != Kind::Fail && ctx.jsonpath() {
            common.input_path = self.optional_path(ctx.obj, "InputPath", PathRule::Json, loc);
            common.output_path = self.optional_path(ctx.obj, "OutputPath", PathRule::Json, loc);
        }
        if !matches!(kind, Kind::Succeed | Kind::Fail) {
            common.assign = self.assign(ctx.obj, ctx.language, loc);
        }
        if kind != Kind::Fail && !ctx.jsonpath() {
            common.output = ctx.get("Output").cloned();
        }
        common
    }

    pub(super) fn transition(&mut self, ctx: StateCtx<'_, '_>) -> Option<Transition> {
        let next = self.string(ctx.obj, "Next", ctx.loc);
        let end = self.boolean(ctx.obj, "End", ctx.loc) == Some(true);
        match (ctx.has("Next"), end) {
            (true, true) => {
                self.schema(ctx.loc, msg::only_one_of(&["Next", "End"]));
                None
            }
            (false, false) => {
                self.schema(ctx.loc, msg::exactly_one_of(&["Next", "End"]));
                None
            }
            (true, false) => next.map(Transition::Next),
            (false, true) => Some(Transition::End),
        }
    }

    pub(super) fn result_path(&mut self, ctx: StateCtx<'_, '_>) -> OptionalPath {
        if ctx.jsonpath() {
            self.optional_path(ctx.obj, "ResultPath", PathRule::Result, ctx.loc)
        } else {
            OptionalPath::Absent
        }
    }

    /// A JSONPath-only template field; in JSONata the language check already reported it.
    pub(super) fn jsonpath_template(&mut self, ctx: StateCtx<'_, '_>, key: &str) -> Option<Value> {
        if ctx.jsonpath() {
            self.template(ctx.obj, key, ctx.language, ctx.loc)
        } else {
            None
        }
    }

    pub(super) fn jsonata_template(&mut self, ctx: StateCtx<'_, '_>, key: &str) -> Option<Value> {
        if ctx.jsonpath() {
            None
        } else {
            self.template(ctx.obj, key, ctx.language, ctx.loc)
        }
    }

    fn pass(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<PassState> {
        let transition = self.transition(ctx);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let result = if ctx.jsonpath() {
            ctx.get("Result").cloned()
        } else {
            None
        };
        let result_path = self.result_path(ctx);
        Some(PassState {
            common,
            transition: transition?,
            parameters,
            result,
            result_path,
        })
    }

    fn choice(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<ChoiceState> {
        self.required(ctx.obj, &["Choices"], ctx.loc);
        let choices = self.choice_rules(ctx);
        let default = self.string(ctx.obj, "Default", ctx.loc);
        Some(ChoiceState {
            common,
            choices: choices?,
            default,
        })
    }

    fn wait(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<WaitState> {
        let transition = self.transition(ctx);
        let wait = self.wait_for(ctx);
        Some(WaitState {
            common,
            transition: transition?,
            wait: wait?,
        })
    }

    fn wait_for(&mut self, ctx: StateCtx<'_, '_>) -> Option<WaitFor> {
        match WAIT_FIELDS.iter().filter(|field| ctx.has(field)).count() {
            0 => {
                self.schema(ctx.loc, msg::exactly_one_of(WAIT_FIELDS));
                None
            }
            1 if ctx.has("Seconds") || ctx.has("SecondsPath") => self
                .int_or_path(ctx, "Seconds", "SecondsPath", IntRange::between(0, MAX_SECONDS))
                .map(WaitFor::Seconds),
            1 => self.timestamp(ctx).map(WaitFor::Timestamp),
            _ => {
                self.schema(ctx.loc, msg::only_one_of(WAIT_FIELDS));
                None
            }
        }
    }

    fn timestamp(&mut self, ctx: StateCtx<'_, '_>) -> Option<ValueOrPath<String>> {
        let Some(value) = ctx.get("Timestamp") else {
            let rule = PathRule::Reference { context: false };
            return if ctx.jsonpath() {
                self.path_string(ctx.obj, "TimestampPath", rule, ctx.loc)
                    .map(ValueOrPath::Path)
            } else {
                None
            };
        };
        if let Some(expression) = Self::jsonata_expression(value, ctx.language) {
            return Some(ValueOrPath::Jsonata(expression));
        }
        let text = self.string(ctx.obj, "Timestamp", ctx.loc)?;
        if !is_rfc3339(&text) {
            self.schema(&ctx.loc.field("Timestamp"), msg::NOT_RFC3339);
            return None;
        }
        Some(ValueOrPath::Value(text))
    }

    fn fail(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<FailState> {
        let error = self.fail_field(ctx, "Error", "ErrorPath");
        let cause = self.fail_field(ctx, "Cause", "CausePath");
        Some(FailState { common, error, cause })
    }

    fn fail_field(&mut self, ctx: StateCtx<'_, '_>, key: &str, path_key: &str) -> Option<ValueOrPath<String>> {
        if !self.at_most_one(ctx.obj, &[key, path_key], ctx.loc) {
            return None;
        }
        if let Some(text) = self.string(ctx.obj, key, ctx.loc) {
            return Some(if ctx.jsonpath() || !is_jsonata_expression(&text) {
                ValueOrPath::Value(text)
            } else {
                ValueOrPath::Jsonata(text)
            });
        }
        if !ctx.jsonpath() {
            return None;
        }
        // A path here may also be an intrinsic function call such as States.Format(...).
        let path = self.string(ctx.obj, path_key, ctx.loc)?;
        let valid = is_intrinsic_call(&path) || path_shape(&path).is_some_and(|shape| shape.reference);
        if !valid {
            self.schema(&ctx.loc.field(path_key), msg::not_reference_path(&path));
            return None;
        }
        Some(ValueOrPath::Path(path))
    }

    fn parallel(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<ParallelState> {
        let transition = self.transition(ctx);
        self.required(ctx.obj, &["Branches"], ctx.loc);
        let branches = self.branches(ctx);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let arguments = self.jsonata_template(ctx, "Arguments");
        let result_selector = self.jsonpath_template(ctx, "ResultSelector");
        let result_path = self.result_path(ctx);
        let retry = self.retriers(ctx);
        let catch = self.catchers(ctx);
        Some(ParallelState {
            common,
            transition: transition?,
            branches: branches?,
            parameters,
            arguments,
            result_selector,
            result_path,
            retry,
            catch,
        })
    }

    fn branches(&mut self, ctx: StateCtx<'_, '_>) -> Option<Vec<SubMachine>> {
        let items = self.non_empty_array(ctx.obj, "Branches", ctx.loc)?;
        let at = ctx.loc.field("Branches");
        let branches: Vec<Option<SubMachine>> = items
            .iter()
            .enumerate()
            .map(|(index, branch)| self.sub_machine(branch, BRANCH_FIELDS, &at.index(index)))
            .collect();
        branches.into_iter().collect()
    }
}
