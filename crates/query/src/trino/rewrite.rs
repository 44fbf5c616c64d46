//! Trino spellings DataFusion does not know, rewritten in the parsed
//! statement into DataFusion's own: function names that differ
//! (`transform` is `array_transform`), functions whose Trino meaning is an
//! expression DataFusion can already run (`if`, `count_if`, `max_by`), and
//! Trino's defaults that differ (`regexp_replace` replaces every match).
//! Functions DataFusion lacks altogether are UDFs in `functions`.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, LambdaFunction, ObjectName, ObjectNamePart,
    Query, SelectItem, SetExpr, TableFactor, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::parser::{Parser, ParserError};

use super::dialect::TrinoDialect;
use super::unnest;

/// Trino names that are DataFusion functions under another name, with the
/// same arguments and meaning.
const RENAMES: &[(&str, &str)] = &[
    ("transform", "array_transform"),
    ("filter", "array_filter"),
    ("any_match", "array_any_match"),
    ("split", "string_to_array"),
    ("every", "bool_and"),
    ("arbitrary", "first_value"),
    ("any_value", "first_value"),
    ("approx_percentile", "approx_percentile_cont"),
    ("sequence", "generate_series"),
    ("repeat", "array_repeat"),
    ("is_nan", "isnan"),
    ("truncate", "trunc"),
    // Of an array, or of a CIDR network and an address.
    ("contains", "trino_contains"),
    ("array_join", "array_to_string"),
    ("rand", "random"),
    ("codepoint", "ascii"),
    ("bitwise_and_agg", "bit_and"),
    ("bitwise_or_agg", "bit_or"),
    ("bitwise_xor_agg", "bit_xor"),
    // Trino removes every equal element; DataFusion's array_remove only the first.
    ("array_remove", "array_remove_all"),
];

/// Rewrites `statement` in place; Err when a template fails to parse, which
/// means an argument printed back as something the parser refuses.
pub fn rewrite<V: VisitMut>(statement: &mut V) -> Result<(), ParserError> {
    match statement.visit(&mut Rewriter) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

struct Rewriter;

impl VisitorMut for Rewriter {
    type Break = ParserError;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<ParserError> {
        if let Err(e) = unnest::rewrite(query) {
            return ControlFlow::Break(e);
        }
        if let SetExpr::Select(select) = query.body.as_mut() {
            name_repeated_items(&mut select.projection);
            if let ControlFlow::Break(e) = select.projection.visit(&mut Quantified) {
                return ControlFlow::Break(e);
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<ParserError> {
        positions_stay_bigint(query);
        ControlFlow::Continue(())
    }

    // `FROM generate_series(1, 3)`: DataFusion's table functions take bigint
    // literals only.
    fn post_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<ParserError> {
        if let TableFactor::Table { args: Some(args), .. } = factor {
            args_as_written(&mut args.args);
        }
        match sampled(factor) {
            Ok(Some(new)) => *factor = new,
            Ok(None) => {}
            Err(e) => return ControlFlow::Break(e),
        }
        ControlFlow::Continue(())
    }

    // After the children, so the arguments printed into a template are
    // already rewritten.
    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<ParserError> {
        // `U&'\+01F600'`: sqlparser has decoded the escapes already.
        if let Expr::Value(v) = expr
            && let datafusion::sql::sqlparser::ast::Value::UnicodeStringLiteral(text) = &mut v.value
        {
            v.value = datafusion::sql::sqlparser::ast::Value::SingleQuotedString(std::mem::take(text));
            return ControlFlow::Continue(());
        }
        // Trino types an integer literal that fits 32 bits as `integer`.
        if let Expr::Value(v) = expr
            && let datafusion::sql::sqlparser::ast::Value::Number(n, _) = &v.value
            && n.parse::<i32>().is_ok()
        {
            *expr = Expr::Cast {
                kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
                expr: Box::new(expr.clone()),
                data_type: datafusion::sql::sqlparser::ast::DataType::Integer(None),
                array: false,
                format: None,
            };
            return ControlFlow::Continue(());
        }
        // Trino reads `1.5` as a decimal (the session parses it so) but `1.5e0`
        // as a double.
        if let Expr::Value(v) = expr
            && let datafusion::sql::sqlparser::ast::Value::Number(n, _) = &v.value
            && n.contains(['e', 'E'])
        {
            match template(&format!("CAST('{n}' AS DOUBLE)")) {
                Ok(e) => *expr = e,
                Err(e) => return ControlFlow::Break(e),
            }
            return ControlFlow::Continue(());
        }
        if let Expr::Lambda(l) = expr {
            let params: Vec<String> = l.params.iter().map(|p| p.name.value.to_lowercase()).collect();
            let _ = l.body.visit(&mut ParamFields { params });
            return ControlFlow::Continue(());
        }
        // DataFusion reads `x AT TIME ZONE z` of a timestamp without zone as
        // local time in z; Trino as the same instant shown in z.
        if let Expr::AtTimeZone { timestamp, time_zone } = expr {
            let sql = format!("at_timezone({timestamp}, {time_zone})");
            match template(&sql) {
                Ok(e) => *expr = e,
                Err(e) => return ControlFlow::Break(e),
            }
            return ControlFlow::Continue(());
        }
        // Casts to IPADDRESS, IPPREFIX and UUID are the functions that make them.
        if let Expr::Cast {
            kind,
            expr: inner,
            data_type,
            ..
        } = expr
            && let Some(f) = constructor_of(data_type)
        {
            let call = format!("{f}({inner})");
            let sql = match kind {
                datafusion::sql::sqlparser::ast::CastKind::Cast
                | datafusion::sql::sqlparser::ast::CastKind::DoubleColon => call,
                _ => format!("{}(__try -> ({call}))", super::functions::try_expr::NAME),
            };
            match template(&sql) {
                Ok(e) => *expr = e,
                Err(e) => return ControlFlow::Break(e),
            }
            return ControlFlow::Continue(());
        }
        if let Some(new) = json_type(expr) {
            match new {
                Ok(e) => *expr = e,
                Err(e) => return ControlFlow::Break(e),
            }
            return ControlFlow::Continue(());
        }
        // DataFusion's own set comparisons answer wrongly in a WHERE clause
        // (`id >= ALL (...) OR ...` kept rows it should not).
        if matches!(expr, Expr::AnyOp { .. } | Expr::AllOp { .. }) {
            return Quantified.post_visit_expr(expr);
        }
        // DataFusion takes only plain literals in tuples.
        if let Expr::Tuple(items) = expr {
            items.iter_mut().for_each(as_written);
            return ControlFlow::Continue(());
        }
        let Expr::Function(f) = expr else {
            return ControlFlow::Continue(());
        };
        if let Some(datafusion::sql::sqlparser::ast::WindowType::WindowSpec(spec)) = f.over.as_mut() {
            frame_as_written(spec);
        }
        // The unnest rewrite's field positions are literals it reads itself;
        // Trino's `sequence` has bigint overloads only, which DataFusion's
        // generate_series and range insist on.
        if plain_name(&f.name).is_some_and(|n| BIGINT_ARGUMENTS.contains(&n.as_str()))
            && let FunctionArguments::List(list) = &mut f.args
        {
            args_as_written(&mut list.args);
        }
        json_values_as_json(f);
        match rewrite_call(f) {
            Ok(Some(new)) => *expr = new,
            Ok(None) => {}
            Err(e) => return ControlFlow::Break(e),
        }
        ControlFlow::Continue(())
    }
}

/// In a lambda's body, `p.field` of a row parameter `p` is a field access,
/// not a column of a table `p`: `get_field(p, 'field')`.
struct ParamFields {
    params: Vec<String>,
}

impl VisitorMut for ParamFields {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::CompoundIdentifier(parts) = expr
            && parts.len() > 1
            && parts[0].quote_style.is_none()
            && self.params.contains(&parts[0].value.to_lowercase())
        {
            let mut out = Expr::Identifier(parts[0].clone());
            for field in &parts[1..] {
                let name =
                    Expr::Value(datafusion::sql::sqlparser::ast::Value::SingleQuotedString(field.value.clone()).into());
                out = Expr::Function(Function {
                    name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new("get_field"))]),
                    uses_odbc_syntax: false,
                    parameters: FunctionArguments::None,
                    args: FunctionArguments::List(datafusion::sql::sqlparser::ast::FunctionArgumentList {
                        duplicate_treatment: None,
                        args: vec![
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(out)),
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(name)),
                        ],
                        clauses: vec![],
                    }),
                    filter: None,
                    null_treatment: None,
                    over: None,
                    within_group: vec![],
                });
            }
            *expr = out;
        }
        ControlFlow::Continue(())
    }
}

/// A rewritten expression for the call, or None when it stays as it is
/// (possibly renamed in place).
fn rewrite_call(f: &mut Function) -> Result<Option<Expr>, ParserError> {
    let Some(name) = plain_name(&f.name) else {
        return Ok(None);
    };
    if f.over.is_some() {
        return Ok(None);
    }
    // The lambda forms of these are higher-order functions of their own.
    let lambda_form = match name.as_str() {
        "array_sort" if lambda_of(f, 1).is_some() => Some("trino_array_sort_by"),
        "regexp_replace" if lambda_of(f, 2).is_some() => Some("trino_regexp_replace_fn"),
        _ => None,
    };
    // `listagg(x, sep) WITHIN GROUP (ORDER BY ...)` is DataFusion's ordered `string_agg`.
    if name == "listagg" && !f.within_group.is_empty() && f.filter.is_none() {
        let order: Vec<String> = f.within_group.iter().map(ToString::to_string).collect();
        let args = match &f.args {
            FunctionArguments::List(l) if l.clauses.is_empty() => {
                l.args.iter().map(ToString::to_string).collect::<Vec<_>>()
            }
            _ => return Ok(None),
        };
        let (x, sep) = match args.as_slice() {
            [x] => (x.clone(), "''".to_owned()),
            [x, sep, ..] => (x.clone(), sep.clone()),
            [] => return Ok(None),
        };
        let sql = format!("string_agg({x}, {sep} ORDER BY {})", order.join(", "));
        return template(&sql).map(Some);
    }
    if let Some(to) = lambda_form {
        f.name = ObjectName(vec![ObjectNamePart::Identifier(to.into())]);
        return Ok(None);
    }
    if let Some((_, to)) = RENAMES.iter().find(|(from, _)| *from == name) {
        f.name = ObjectName(vec![ObjectNamePart::Identifier((*to).into())]);
        return Ok(None);
    }
    // `TRY(CAST(...))` is DataFusion's TRY_CAST; any other TRY evaluates
    // its expression as a lambda body it can retry row by row.
    if name == "try"
        && let FunctionArguments::List(list) = &f.args
        && let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice()
    {
        if let Expr::Cast {
            kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
            expr,
            data_type,
            format,
            array,
        } = arg
        {
            return Ok(Some(Expr::Cast {
                kind: datafusion::sql::sqlparser::ast::CastKind::TryCast,
                expr: expr.clone(),
                data_type: data_type.clone(),
                format: format.clone(),
                array: *array,
            }));
        }
        let sql = format!("{}(__try -> ({arg}))", super::functions::try_expr::NAME);
        return template(&sql).map(Some);
    }
    let Some(args) = plain_args(f) else {
        return Ok(None);
    };
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let sql = match (name.as_str(), a.as_slice()) {
        ("if", [c, t]) => format!("CASE WHEN {c} THEN {t} END"),
        ("if", [c, t, e]) => format!("CASE WHEN {c} THEN {t} ELSE {e} END"),
        ("count_if", [c]) => format!("count(CASE WHEN {c} THEN 1 END)"),
        ("max_by", [x, y]) => {
            format!("first_value(CASE WHEN {y} IS NOT NULL THEN {x} END ORDER BY {y} DESC NULLS LAST)")
        }
        ("min_by", [x, y]) => {
            format!("first_value(CASE WHEN {y} IS NOT NULL THEN {x} END ORDER BY {y} ASC NULLS LAST)")
        }
        ("map_agg", [k, v]) => format!("map(array_agg({k}), array_agg({v}))"),
        // The input function folds the non-null values in order; the combine
        // function only merges partial states, which one fold never has.
        ("reduce_agg", [x, init, input, _combine]) => {
            format!("reduce(array_agg({x}) FILTER (WHERE {x} IS NOT NULL), {init}, {input}, s -> s)")
        }
        // Trino replaces every match; DataFusion only the first unless 'g'.
        ("regexp_replace", [s, p]) => format!("regexp_replace({s}, {p}, '', 'g')"),
        ("regexp_replace", [s, p, r]) => format!("regexp_replace({s}, {p}, {r}, 'g')"),
        ("all_match", [xs, _]) => match lambda_of(f, 1) {
            Some(l) => format!("NOT array_any_match({xs}, {} -> NOT ({}))", l.params, l.body),
            None => return Ok(None),
        },
        ("none_match", [xs, f]) => format!("NOT array_any_match({xs}, {f})"),
        // Trino answers 0 for an element not found; DataFusion NULL.
        ("array_position", [xs, x]) => {
            format!("CASE WHEN {xs} IS NULL THEN NULL ELSE CAST(coalesce(array_position({xs}, {x}), 0) AS BIGINT) END")
        }
        ("slice", [xs, start, len]) => format!("array_slice({xs}, {start}, ({start}) + ({len}) - 1)"),
        // Trino's md5 answers varbinary; DataFusion's a hex string.
        ("md5", [x]) => format!("digest({x}, 'md5')"),
        ("replace", [s, x]) => format!("replace({s}, {x}, '')"),
        ("date", [x]) => format!("CAST({x} AS DATE)"),
        ("current_timezone", []) => "'UTC'".to_owned(),
        // Trino's empty map; DataFusion's `map` wants its key and value arrays.
        ("map", []) => "map(make_array(), make_array())".to_owned(),
        ("year" | "month" | "hour" | "minute", [x]) => format!("CAST(date_part('{name}', {x}) AS BIGINT)"),
        ("day" | "day_of_month", [x]) => format!("CAST(date_part('day', {x}) AS BIGINT)"),
        ("second", [x]) => format!("CAST(floor(date_part('second', {x})) AS BIGINT)"),
        ("millisecond", [x]) => format!("CAST(date_part('millisecond', {x}) AS BIGINT) % 1000"),
        _ => return Ok(None),
    };
    template(&sql).map(Some)
}

/// `t TABLESAMPLE BERNOULLI (p)` (or SYSTEM, which Trino samples by split and
/// a single-node engine may sample by row): each row kept with probability
/// p%, as a filtered derived table under the table's own name.
fn sampled(factor: &TableFactor) -> Result<Option<TableFactor>, ParserError> {
    let TableFactor::Table {
        name,
        alias,
        sample: Some(kind),
        args: None,
        ..
    } = factor
    else {
        return Ok(None);
    };
    let (datafusion::sql::sqlparser::ast::TableSampleKind::BeforeTableAlias(sample)
    | datafusion::sql::sqlparser::ast::TableSampleKind::AfterTableAlias(sample)) = kind;
    let Some(quantity) = &sample.quantity else {
        return Ok(None);
    };
    let alias = match alias {
        Some(a) => a.to_string(),
        None => match name.0.last() {
            Some(ObjectNamePart::Identifier(i)) => i.to_string(),
            _ => return Ok(None),
        },
    };
    let sql = format!(
        "(SELECT * FROM {name} WHERE random() * 100 < CAST({} AS DOUBLE)) AS {alias}",
        quantity.value
    );
    let dialect = TrinoDialect::default();
    Parser::new(&dialect).try_with_sql(&sql)?.parse_table_factor().map(Some)
}

/// Quantified comparisons with a subquery, `x = ANY (q)`, `x < ALL (q)`,
/// and in a select list `x IN (q)`, which DataFusion plans only in a WHERE
/// clause: they compare with the subquery's values gathered into an array, which
/// DataFusion compares with Trino's NULL rules; an empty subquery makes ANY
/// and IN false, ALL and NOT IN true.
struct Quantified;

impl VisitorMut for Quantified {
    type Break = ParserError;

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<ParserError> {
        use datafusion::sql::sqlparser::ast::BinaryOperator;
        let (left, op, query, all) = match expr {
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => (left, compare_op.clone(), right, false),
            Expr::AllOp {
                left,
                compare_op,
                right,
            } => (left, compare_op.clone(), right, true),
            Expr::InSubquery {
                expr: left,
                subquery,
                negated,
            } => {
                let op = if *negated {
                    BinaryOperator::NotEq
                } else {
                    BinaryOperator::Eq
                };
                let query = format!("({subquery})");
                match quantified_sql(left, &op, &query, *negated) {
                    Ok(e) => *expr = e,
                    Err(e) => return ControlFlow::Break(e),
                }
                return ControlFlow::Continue(());
            }
            _ => return ControlFlow::Continue(()),
        };
        if !matches!(query.as_ref(), Expr::Subquery(_)) {
            return ControlFlow::Continue(());
        }
        let query = query.to_string();
        match quantified_sql(left, &op, &query, all) {
            Ok(e) => *expr = e,
            Err(e) => return ControlFlow::Break(e),
        }
        ControlFlow::Continue(())
    }
}

/// `left op ANY|ALL (query)` over the query's values as an array; `query` is
/// printed with its parentheses.
fn quantified_sql(
    left: &Expr,
    op: &datafusion::sql::sqlparser::ast::BinaryOperator,
    query: &str,
    all: bool,
) -> Result<Expr, ParserError> {
    let values = format!("(SELECT array_agg(__v) FROM {query} AS __q(__v))");
    let (quantifier, empty) = if all { ("ALL", "true") } else { ("ANY", "false") };
    // Not a bare subquery after the quantifier, or DataFusion plans it as the
    // set comparison this replaces; the distinct values compare the same.
    let sql =
        format!("CASE WHEN {values} IS NULL THEN {empty} ELSE {left} {op} {quantifier}(array_distinct({values})) END");
    template(&sql)
}

/// An expression written as SQL text by a rewrite, parsed.
fn template(sql: &str) -> Result<Expr, ParserError> {
    Parser::new(&TrinoDialect::default()).try_with_sql(sql)?.parse_expr()
}

/// Calls whose integer literals stay bigint, as written.
const BIGINT_ARGUMENTS: &[&str] = &[unnest::ROW_FIELD, "sequence", "generate_series", "range"];

fn args_as_written(args: &mut [FunctionArg]) {
    for a in args {
        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
        | FunctionArg::Named {
            arg: FunctionArgExpr::Expr(e),
            ..
        } = a
        {
            as_written(e);
        }
    }
}

/// An integer literal made `integer` by the rewrite, given back as written.
fn literal_of(e: &Expr) -> Option<Expr> {
    match e {
        Expr::Cast {
            kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
            expr,
            data_type: datafusion::sql::sqlparser::ast::DataType::Integer(None),
            format: None,
            ..
        } if matches!(expr.as_ref(), Expr::Value(_)) => Some(expr.as_ref().clone()),
        _ => None,
    }
}

fn as_written(e: &mut Expr) {
    if let Some(v) = literal_of(e) {
        *e = v;
    }
}

/// Where a number is a position or a count, not a value: `ORDER BY 1`,
/// `GROUP BY 1`, `LIMIT 10`, `OFFSET 5`. These keep the literal as written.
fn positions_stay_bigint(query: &mut Query) {
    if let Some(order) = query.order_by.as_mut()
        && let datafusion::sql::sqlparser::ast::OrderByKind::Expressions(items) = &mut order.kind
    {
        for item in items {
            as_written(&mut item.expr);
        }
    }
    match query.limit_clause.as_mut() {
        Some(datafusion::sql::sqlparser::ast::LimitClause::LimitOffset { limit, offset, .. }) => {
            if let Some(l) = limit {
                as_written(l);
            }
            if let Some(o) = offset {
                as_written(&mut o.value);
            }
        }
        Some(datafusion::sql::sqlparser::ast::LimitClause::OffsetCommaLimit { offset, limit }) => {
            as_written(offset);
            as_written(limit);
        }
        None => {}
    }
    if let Some(fetch) = query.fetch.as_mut()
        && let Some(q) = fetch.quantity.as_mut()
    {
        as_written(q);
    }
    let mut bodies = vec![query.body.as_mut()];
    while let Some(body) = bodies.pop() {
        match body {
            SetExpr::Select(select) => {
                if let datafusion::sql::sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                    for e in exprs {
                        as_written(e);
                    }
                }
                for window in &mut select.named_window {
                    if let datafusion::sql::sqlparser::ast::NamedWindowExpr::WindowSpec(spec) = &mut window.1 {
                        frame_as_written(spec);
                    }
                }
            }
            SetExpr::SetOperation { left, right, .. } => {
                bodies.push(left.as_mut());
                bodies.push(right.as_mut());
            }
            _ => {}
        }
    }
}

/// `ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING`: offsets DataFusion reads
/// only as plain literals.
fn frame_as_written(spec: &mut datafusion::sql::sqlparser::ast::WindowSpec) {
    use datafusion::sql::sqlparser::ast::WindowFrameBound;
    let Some(frame) = spec.window_frame.as_mut() else {
        return;
    };
    for bound in std::iter::once(&mut frame.start_bound).chain(frame.end_bound.as_mut()) {
        if let WindowFrameBound::Preceding(Some(e)) | WindowFrameBound::Following(Some(e)) = bound {
            as_written(e);
        }
    }
}

/// Trino selects the same expression twice (`SELECT 1, 1`); DataFusion
/// wants distinct names, so a repeated unnamed expression gets the name
/// Athena gives it anyway, `_col<position>`. Plain columns keep theirs.
fn name_repeated_items(projection: &mut [SelectItem]) {
    let mut seen = std::collections::HashSet::new();
    for (i, item) in projection.iter_mut().enumerate() {
        // DataFusion does not tell casts to different types apart in names
        // (`avg(x)` and `avg(CAST(x AS double))` are both `avg(t.x)`), nor
        // TRY's forms, so those are named.
        let tried = |e: &Expr| {
            matches!(e, Expr::Function(f) if plain_name(&f.name).is_some_and(|n| n == "try"))
                || e.to_string().to_ascii_uppercase().contains("CAST(")
        };
        // It names every quantified comparison alike (`CASE WHEN EXISTS ...`).
        let subquery = |e: &Expr| {
            matches!(
                e,
                Expr::AnyOp { .. }
                    | Expr::AllOp { .. }
                    | Expr::Exists { .. }
                    | Expr::InSubquery { .. }
                    | Expr::Subquery(_)
            )
        };
        if let SelectItem::UnnamedExpr(e) = item
            && !matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
            && (!seen.insert(e.to_string()) || subquery(e) || tried(e))
        {
            *item = SelectItem::ExprWithAlias {
                expr: e.clone(),
                alias: Ident::new(format!("_col{i}")),
            };
        }
    }
}

/// Functions whose result is JSON (canonical JSON text here).
const JSON_RESULTS: &[&str] = &[
    "json_parse",
    "json_extract",
    "trino_to_json",
    "trino_json_array",
    "trino_json_object",
    "trino_json_query",
];

/// Trino's JSON type spelled as calls on JSON text: `JSON '...'` is
/// `json_parse('...')`, `CAST(x AS JSON)` is `trino_to_json(x)`, and a cast
/// of a JSON value to another type reads its scalar first.
fn json_type(expr: &Expr) -> Option<Result<Expr, ParserError>> {
    let sql = match expr {
        Expr::TypedString(t) if is_json(&t.data_type) => format!("json_parse({})", t.value),
        Expr::TypedString(t) if matches!(t.data_type, datafusion::sql::sqlparser::ast::DataType::Timestamp(..)) => {
            timestamp_literal(&t.value.value.clone().into_string()?)?
        }
        Expr::Cast { expr, data_type, .. } if is_json(data_type) => format!("trino_to_json({expr})"),
        // A JSON value cast to an array, map or row is decoded into it.
        Expr::Cast {
            expr,
            data_type:
                t @ (datafusion::sql::sqlparser::ast::DataType::Array(_)
                | datafusion::sql::sqlparser::ast::DataType::Map(..)
                | datafusion::sql::sqlparser::ast::DataType::Struct(..)),
            ..
        } if returns_json(expr) => format!("trino_json_cast({expr}, CAST(NULL AS {t}))"),
        // Rows cast by position (see functions::rows); a NULL needs no fields matched.
        Expr::Cast {
            expr,
            data_type: t @ datafusion::sql::sqlparser::ast::DataType::Struct(..),
            ..
        } if !matches!(expr.as_ref(), Expr::Value(v) if v.to_string() == "NULL") => {
            format!("trino_cast_row({expr}, CAST(NULL AS {t}))")
        }
        Expr::Cast {
            kind,
            expr,
            data_type,
            format: None,
            array: false,
        } if returns_json(expr) => {
            let cast = match kind {
                datafusion::sql::sqlparser::ast::CastKind::TryCast => "TRY_CAST",
                _ => "CAST",
            };
            format!("{cast}(json_value_text({expr}) AS {data_type})")
        }
        _ => return None,
    };
    Some(template(&sql))
}

/// A Trino timestamp literal Arrow's parser does not take: without seconds
/// (`'2012-08-08 01:00'`) or with a zone (`'2012-10-31 01:00 UTC'`, `+01:00`,
/// `Asia/Tokyo`; the zone stays on the value). None when the
/// literal needs nothing.
fn timestamp_literal(text: &str) -> Option<String> {
    let text = text.trim();
    let (date, rest) = text.split_once([' ', 'T'])?;
    let (time, zone) = match rest.split_once(' ') {
        Some((t, z)) => (t, Some(z.trim())),
        None => match rest.find(['+', '-', 'Z']) {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        },
    };
    let time = if time.matches(':').count() == 1 {
        format!("{time}:00")
    } else {
        time.to_owned()
    };
    let well_formed = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.' || b == b'-')
    };
    if !well_formed(date) || !well_formed(&time) {
        return None;
    }
    match zone {
        None if time.len() == rest.len() => None,
        None => Some(format!("TIMESTAMP '{date} {time}'")),
        // The zone stays on the value, at the precision the literal writes.
        Some(z) => {
            let zone = super::functions::zones::canonical_zone(z)?;
            let digits = time.split_once('.').map_or(0, |(_, f)| f.len());
            let unit = match digits {
                0..=3 => "ms",
                4..=6 => "us",
                _ => "ns",
            };
            Some(format!(
                "with_timezone(arrow_cast(TIMESTAMP '{date} {time}', 'Timestamp({unit})'), '{zone}')"
            ))
        }
    }
}

/// The function that makes a value of a type held as text (`functions::network`).
fn constructor_of(t: &datafusion::sql::sqlparser::ast::DataType) -> Option<&'static str> {
    use datafusion::sql::sqlparser::ast::DataType;
    let name = match t {
        DataType::Uuid => "uuid".to_owned(),
        DataType::Custom(name, args) if args.is_empty() => plain_name(name)?,
        _ => return None,
    };
    super::functions::network::CONSTRUCTORS
        .iter()
        .find(|(ty, _)| name.eq_ignore_ascii_case(ty))
        .map(|(_, f)| *f)
}

fn is_json(t: &datafusion::sql::sqlparser::ast::DataType) -> bool {
    use datafusion::sql::sqlparser::ast::DataType;
    match t {
        DataType::JSON => true,
        DataType::Custom(name, args) => args.is_empty() && plain_name(name).as_deref() == Some("json"),
        _ => false,
    }
}

fn returns_json(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => plain_name(&f.name).is_some_and(|n| JSON_RESULTS.contains(&n.as_str())),
        Expr::Nested(inner) => returns_json(inner),
        _ => false,
    }
}

/// A JSON constructor's values that are already JSON (a JSON literal, a
/// JSON function's result) are taken as JSON, as Trino takes a JSON-typed
/// value: their format argument becomes 1.
fn json_values_as_json(f: &mut Function) {
    let stride = match plain_name(&f.name).as_deref() {
        Some("trino_json_object" | "trino_json_object_bytes") => 3,
        Some("trino_json_array" | "trino_json_array_bytes") => 2,
        _ => return,
    };
    let FunctionArguments::List(list) = &mut f.args else {
        return;
    };
    let mut i = 1;
    while i + stride - 1 < list.args.len() {
        let value = stride - 2 + i;
        let json = matches!(&list.args[value], FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) if returns_json(e));
        if json && let FunctionArg::Unnamed(FunctionArgExpr::Expr(format)) = &mut list.args[value + 1] {
            as_written(format);
            if let Expr::Value(v) = format
                && v.to_string() == "0"
            {
                v.value = datafusion::sql::sqlparser::ast::Value::Number("1".into(), false);
            }
        }
        i += stride;
    }
}

/// The lowercased name of an unqualified function.
fn plain_name(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] if id.quote_style.is_none() => Some(id.value.to_lowercase()),
        _ => None,
    }
}

/// The arguments printed back as SQL, when the call is a plain list
/// (no DISTINCT, ORDER BY, FILTER or named arguments to carry over).
fn plain_args(f: &Function) -> Option<Vec<String>> {
    if f.filter.is_some() || f.null_treatment.is_some() || !f.within_group.is_empty() {
        return None;
    }
    let list = match &f.args {
        FunctionArguments::List(l) if l.duplicate_treatment.is_none() && l.clauses.is_empty() => l,
        FunctionArguments::None => return Some(Vec::new()),
        _ => return None,
    };
    list.args
        .iter()
        .map(|a| match a {
            // A lambda in parentheses is no longer a lambda argument.
            FunctionArg::Unnamed(FunctionArgExpr::Expr(
                e @ (Expr::Lambda(_) | Expr::Identifier(_) | Expr::Value(_)),
            )) => Some(e.to_string()),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(format!("({e})")),
            _ => None,
        })
        .collect()
}

/// Argument `i` of a call when it is a lambda.
fn lambda_of(f: &Function, i: usize) -> Option<&LambdaFunction> {
    match &f.args {
        FunctionArguments::List(l) => match l.args.get(i) {
            Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(l)))) => Some(l),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::parser::Parser;

    fn rewritten(sql: &str) -> String {
        let mut statements = Parser::parse_sql(&TrinoDialect::default(), sql).unwrap();
        rewrite(&mut statements[0]).unwrap();
        statements[0].to_string()
    }

    #[test]
    fn renames_and_templates() {
        assert_eq!(
            rewritten("SELECT transform(xs, x -> x + y), contains(xs, y) FROM t"),
            "SELECT array_transform(xs, x -> x + y), trino_contains(xs, y) FROM t"
        );
        assert_eq!(
            rewritten("SELECT if(a > n, 'big', 'small'), count_if(b) FROM t"),
            "SELECT CASE WHEN (a > n) THEN 'big' ELSE 'small' END, count(CASE WHEN b THEN 1 END) FROM t"
        );
        assert_eq!(
            rewritten("SELECT regexp_replace(s, 'a') FROM t"),
            "SELECT regexp_replace(s, 'a', '', 'g') FROM t"
        );
    }

    #[test]
    fn nested_calls_rewrite_inside_out() {
        assert_eq!(
            rewritten("SELECT if(count_if(b) > n, 'x') FROM t"),
            "SELECT CASE WHEN (count(CASE WHEN b THEN 1 END) > n) THEN 'x' END FROM t"
        );
    }

    #[test]
    fn integer_literals_are_integers_except_positions_and_counts() {
        assert_eq!(
            rewritten("SELECT 1, 2147483648, (1, 2) FROM t GROUP BY 1 ORDER BY 1 LIMIT 2 OFFSET 3"),
            "SELECT CAST(1 AS INTEGER), 2147483648, (1, 2) FROM t GROUP BY 1 ORDER BY 1 LIMIT 2 OFFSET 3"
        );
        assert_eq!(
            rewritten("SELECT sequence(1, 3), -5 FROM generate_series(1, 2)"),
            "SELECT generate_series(1, 3), -CAST(5 AS INTEGER) FROM generate_series(1, 2)"
        );
    }
}
