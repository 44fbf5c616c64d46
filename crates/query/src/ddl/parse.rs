//! Athena's Hive DDL, parsed by hand: DataFusion's parser knows neither
//! `ROW FORMAT SERDE ... WITH SERDEPROPERTIES` nor Hive's `struct<a:int>`.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateTable {
    pub database: Option<String>,
    pub name: String,
    pub if_not_exists: bool,
    pub external: bool,
    pub columns: Vec<ColumnDef>,
    pub partitions: Vec<ColumnDef>,
    pub comment: Option<String>,
    /// `ROW FORMAT DELIMITED FIELDS TERMINATED BY`.
    pub field_delim: Option<String>,
    pub escape: Option<String>,
    pub line_delim: Option<String>,
    pub collection_delim: Option<String>,
    pub map_key_delim: Option<String>,
    pub serde: Option<String>,
    pub serde_properties: BTreeMap<String, String>,
    /// `STORED AS` name, upper-cased (PARQUET, TEXTFILE, JSONFILE, ORC, AVRO).
    pub stored_as: Option<String>,
    pub input_format: Option<String>,
    pub output_format: Option<String>,
    pub location: Option<String>,
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartitionSpec {
    pub values: Vec<(String, String)>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ddl {
    CreateDatabase {
        name: String,
        if_not_exists: bool,
        comment: Option<String>,
        location: Option<String>,
        properties: BTreeMap<String, String>,
    },
    DropDatabase {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    CreateTable(Box<CreateTable>),
    DropTable {
        database: Option<String>,
        name: String,
        if_exists: bool,
    },
    AddPartitions {
        database: Option<String>,
        table: String,
        if_not_exists: bool,
        partitions: Vec<PartitionSpec>,
    },
    DropPartitions {
        database: Option<String>,
        table: String,
        if_exists: bool,
        partitions: Vec<PartitionSpec>,
    },
    MsckRepair {
        database: Option<String>,
        table: String,
    },
    ShowDatabases {
        like: Option<String>,
    },
    ShowTables {
        database: Option<String>,
        like: Option<String>,
    },
    ShowPartitions {
        database: Option<String>,
        table: String,
    },
    ShowColumns {
        database: Option<String>,
        table: String,
    },
    ShowCreateTable {
        database: Option<String>,
        table: String,
    },
    Describe {
        database: Option<String>,
        table: String,
    },
    DropView {
        database: Option<String>,
        name: String,
        if_exists: bool,
    },
    ShowViews {
        database: Option<String>,
        like: Option<String>,
    },
    ShowCreateView {
        database: Option<String>,
        name: String,
    },
}

/// `CREATE [OR REPLACE] VIEW [db.]v [COMMENT '...'] [SECURITY ...] AS <query>`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateView {
    pub database: Option<String>,
    pub name: String,
    pub or_replace: bool,
    pub query: String,
    /// Where `query` starts in the statement (byte offset), for error positions.
    pub query_at: usize,
}

/// `CREATE TABLE ... WITH (...) AS <query>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ctas {
    pub database: Option<String>,
    pub name: String,
    pub if_not_exists: bool,
    /// The WITH properties, keys lower-cased; `partitioned_by` holds the column list joined by `,`.
    pub properties: BTreeMap<String, String>,
    pub query: String,
    /// Where `query` starts in the statement (byte offset), for error positions.
    pub query_at: usize,
    pub with_data: bool,
}

/// `UNLOAD (<query>) TO 's3://...' WITH (format = ..., ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unload {
    pub query: String,
    /// Where `query` starts in the statement (byte offset), for error positions.
    pub query_at: usize,
    pub location: String,
    /// As for CTAS: keys lower-cased, `partitioned_by` joined by `,`.
    pub properties: BTreeMap<String, String>,
}

/// `INSERT INTO [db.]t [(cols)] <query>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    pub database: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
    pub query: String,
    /// Where `query` starts in the statement (byte offset), for error positions.
    pub query_at: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// A back-quoted or double-quoted name.
    Quoted(String),
    Str(String),
    Num(String),
    Sym(char),
}

/// A parse failure with its 1-based line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct DdlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

struct Lexed {
    toks: Vec<(Tok, usize)>,
    src: String,
}

/// Tokens of `src`, with strings read as Hive DDL reads them (`'\t'`, `'\''`)
/// or, when that fails, as Trino reads them, where a backslash is itself:
/// the query of a CTAS or INSERT is Trino's (`LIKE 'a\_b' ESCAPE '\'`).
fn lex(src: &str) -> Result<Lexed, DdlError> {
    lex_strings(src, true).or_else(|e| lex_strings(src, false).map_err(|_| e))
}

fn lex_strings(src: &str, backslash_escapes: bool) -> Result<Lexed, DdlError> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let err = |at: usize, message: String| {
        let (line, column) = line_col(src, at);
        DdlError { line, column, message }
    };
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1).map(|x| x.1) == Some('-') {
            while i < chars.len() && chars[i].1 != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1).map(|x| x.1) == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i].1 == '*' && chars.get(i + 1).map(|x| x.1) == Some('/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '`' || c == '"' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                let Some(&(_, d)) = chars.get(j) else {
                    return Err(err(at, "unterminated quoted text".into()));
                };
                if backslash_escapes
                    && d == '\\'
                    && c == '\''
                    && let Some(&(_, e)) = chars.get(j + 1)
                {
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        '0' => '\0',
                        other => other,
                    });
                    j += 2;
                    continue;
                }
                if d == c {
                    if chars.get(j + 1).map(|x| x.1) == Some(c) {
                        s.push(c);
                        j += 2;
                        continue;
                    }
                    break;
                }
                s.push(d);
                j += 1;
            }
            toks.push((if c == '\'' { Tok::Str(s) } else { Tok::Quoted(s) }, at));
            i = j + 1;
        } else if c.is_ascii_digit() {
            let mut s = String::new();
            while let Some(&(_, d)) = chars.get(i)
                && (d.is_ascii_digit() || d == '.')
            {
                s.push(d);
                i += 1;
            }
            toks.push((Tok::Num(s), at));
        } else if c.is_alphanumeric() || c == '_' {
            let mut s = String::new();
            while let Some(&(_, d)) = chars.get(i)
                && (d.is_alphanumeric() || d == '_')
            {
                s.push(d);
                i += 1;
            }
            toks.push((Tok::Word(s), at));
        } else {
            toks.push((Tok::Sym(c), at));
            i += 1;
        }
    }
    Ok(Lexed {
        toks,
        src: src.to_owned(),
    })
}

fn line_col(src: &str, at: usize) -> (usize, usize) {
    crate::errors::line_and_column(src, at.min(src.len()))
}

struct P {
    lx: Lexed,
    pos: usize,
}

impl P {
    /// `( key = 'value' | ARRAY['a', ...], ... )` after `WITH`, as CTAS and UNLOAD take them.
    fn with_properties(&mut self) -> Result<BTreeMap<String, String>, DdlError> {
        let mut properties = BTreeMap::new();
        self.expect_sym('(')?;
        loop {
            let key = self.ident()?.to_lowercase();
            self.expect_sym('=')?;
            let value = if self.kw("array") {
                self.expect_sym('[')?;
                let mut items = Vec::new();
                while !self.sym(']') {
                    items.push(self.string()?.to_lowercase());
                    self.sym(',');
                }
                items.join(",")
            } else {
                match self.peek().cloned() {
                    Some(Tok::Str(s) | Tok::Num(s)) => {
                        self.pos += 1;
                        s
                    }
                    _ => return Err(self.error("Expecting: <string>")),
                }
            };
            properties.insert(key, value);
            if !self.sym(',') {
                break;
            }
        }
        self.expect_sym(')')?;
        Ok(properties)
    }

    fn peek(&self) -> Option<&Tok> {
        self.lx.toks.get(self.pos).map(|t| &t.0)
    }

    fn error(&self, message: impl Into<String>) -> DdlError {
        let at = self.lx.toks.get(self.pos).map_or(self.lx.src.len(), |t| t.1);
        let (line, column) = line_col(&self.lx.src, at);
        let found = match self.peek() {
            None => "end of input".to_owned(),
            Some(Tok::Word(w) | Tok::Num(w)) => format!("'{w}'"),
            Some(Tok::Quoted(q)) => format!("'{q}'"),
            Some(Tok::Str(s)) => format!("'{s}'"),
            Some(Tok::Sym(c)) => format!("'{c}'"),
        };
        DdlError {
            line,
            column,
            message: format!("mismatched input {found}. {}", message.into()),
        }
    }

    fn kw(&mut self, k: &str) -> bool {
        if let Some(Tok::Word(w)) = self.peek()
            && w.eq_ignore_ascii_case(k)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn kws(&mut self, ks: &[&str]) -> bool {
        let save = self.pos;
        for k in ks {
            if !self.kw(k) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    fn expect_kw(&mut self, k: &str) -> Result<(), DdlError> {
        if self.kw(k) {
            Ok(())
        } else {
            Err(self.error(format!("Expecting: '{}'", k.to_uppercase())))
        }
    }

    fn sym(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect_sym(&mut self, c: char) -> Result<(), DdlError> {
        if self.sym(c) {
            Ok(())
        } else {
            Err(self.error(format!("Expecting: '{c}'")))
        }
    }

    fn ident(&mut self) -> Result<String, DdlError> {
        match self.peek().cloned() {
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(w.to_lowercase())
            }
            Some(Tok::Quoted(q)) => {
                self.pos += 1;
                Ok(q.to_lowercase())
            }
            _ => Err(self.error("Expecting: <identifier>")),
        }
    }

    /// `name` or `db.name`.
    fn qualified(&mut self) -> Result<(Option<String>, String), DdlError> {
        let first = self.ident()?;
        if self.sym('.') {
            let second = self.ident()?;
            if self.sym('.') {
                // catalog.db.table: the catalog must be Athena's only one.
                let third = self.ident()?;
                return Ok((Some(second), third));
            }
            return Ok((Some(first), second));
        }
        Ok((None, first))
    }

    fn string(&mut self) -> Result<String, DdlError> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.error("Expecting: <string>")),
        }
    }

    fn properties(&mut self) -> Result<BTreeMap<String, String>, DdlError> {
        let mut out = BTreeMap::new();
        self.expect_sym('(')?;
        loop {
            let k = self.string()?;
            self.expect_sym('=')?;
            let v = self.string()?;
            out.insert(k, v);
            if !self.sym(',') {
                break;
            }
        }
        self.expect_sym(')')?;
        Ok(out)
    }

    /// A type as text, up to the next `,` or `)` outside brackets.
    fn type_text(&mut self) -> Result<String, DdlError> {
        let mut out = String::new();
        let mut depth = 0i32;
        loop {
            match self.peek().cloned() {
                None => break,
                Some(Tok::Sym(c)) if (c == ',' || c == ')') && depth == 0 => break,
                Some(Tok::Word(w)) if depth == 0 && w.eq_ignore_ascii_case("comment") => break,
                Some(t) => {
                    match &t {
                        Tok::Sym('<' | '(') => depth += 1,
                        Tok::Sym('>' | ')') => depth -= 1,
                        _ => {}
                    }
                    match t {
                        Tok::Word(w) | Tok::Num(w) => out.push_str(&w.to_lowercase()),
                        Tok::Quoted(q) => out.push_str(&q),
                        Tok::Str(s) => out.push_str(&s),
                        Tok::Sym(c) => out.push(c),
                    }
                    self.pos += 1;
                }
            }
        }
        if out.is_empty() {
            return Err(self.error("Expecting: <type>"));
        }
        Ok(out)
    }

    fn columns(&mut self) -> Result<Vec<ColumnDef>, DdlError> {
        let mut cols = Vec::new();
        self.expect_sym('(')?;
        loop {
            let name = self.ident()?;
            let ty = self.type_text()?;
            let comment = if self.kw("comment") { Some(self.string()?) } else { None };
            cols.push(ColumnDef { name, ty, comment });
            if !self.sym(',') {
                break;
            }
        }
        self.expect_sym(')')?;
        Ok(cols)
    }

    fn partition_spec(&mut self) -> Result<PartitionSpec, DdlError> {
        self.expect_sym('(')?;
        let mut values = Vec::new();
        loop {
            let k = self.ident()?;
            self.expect_sym('=')?;
            let v = match self.peek().cloned() {
                Some(Tok::Str(s) | Tok::Num(s)) => {
                    self.pos += 1;
                    s
                }
                _ => return Err(self.error("Expecting: <value>")),
            };
            values.push((k, v));
            if !self.sym(',') {
                break;
            }
        }
        self.expect_sym(')')?;
        let location = if self.kw("location") {
            Some(self.string()?)
        } else {
            None
        };
        Ok(PartitionSpec { values, location })
    }

    fn end(&mut self) -> Result<(), DdlError> {
        self.sym(';');
        if self.peek().is_some() {
            return Err(self.error("Expecting: <EOF>"));
        }
        Ok(())
    }

    fn create_table(&mut self, external: bool) -> Result<Ddl, DdlError> {
        let if_not_exists = self.kws(&["if", "not", "exists"]);
        let (database, name) = self.qualified()?;
        let mut t = CreateTable {
            database,
            name,
            if_not_exists,
            external,
            ..CreateTable::default()
        };
        if self.peek() == Some(&Tok::Sym('(')) {
            t.columns = self.columns()?;
        }
        loop {
            if self.kw("comment") {
                t.comment = Some(self.string()?);
            } else if self.kws(&["partitioned", "by"]) {
                t.partitions = self.columns()?;
            } else if self.kws(&["row", "format"]) {
                if self.kw("delimited") {
                    loop {
                        if self.kws(&["fields", "terminated", "by"]) {
                            t.field_delim = Some(self.string()?);
                            if self.kws(&["escaped", "by"]) {
                                t.escape = Some(self.string()?);
                            }
                        } else if self.kws(&["lines", "terminated", "by"]) {
                            t.line_delim = Some(self.string()?);
                        } else if self.kws(&["collection", "items", "terminated", "by"]) {
                            t.collection_delim = Some(self.string()?);
                        } else if self.kws(&["map", "keys", "terminated", "by"]) {
                            t.map_key_delim = Some(self.string()?);
                        } else if self.kws(&["null", "defined", "as"]) {
                            let n = self.string()?;
                            t.serde_properties.insert("serialization.null.format".into(), n);
                        } else {
                            break;
                        }
                    }
                } else {
                    self.expect_kw("serde")?;
                    t.serde = Some(self.string()?);
                    if self.kws(&["with", "serdeproperties"]) {
                        t.serde_properties.extend(self.properties()?);
                    }
                }
            } else if self.kws(&["stored", "as"]) {
                if self.kw("inputformat") {
                    t.input_format = Some(self.string()?);
                    self.expect_kw("outputformat")?;
                    t.output_format = Some(self.string()?);
                } else {
                    t.stored_as = Some(self.ident()?.to_uppercase());
                }
            } else if self.kw("location") {
                t.location = Some(self.string()?);
            } else if self.kw("tblproperties") {
                t.properties = self.properties()?;
            } else {
                break;
            }
        }
        self.end()?;
        Ok(Ddl::CreateTable(Box::new(t)))
    }
}

/// The statement from byte `start` on, without the blanks and `;` that end it.
fn statement_rest(sql: &str, start: usize) -> &str {
    sql[start..].trim().trim_end_matches(';').trim()
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// `query` without one pair of parentheses around all of it (`AS (SELECT ...)`);
/// a query that only starts or ends with one keeps it (`AS SELECT max(x)`).
fn without_enclosing_parentheses(query: &str) -> Result<&str, DdlError> {
    let toks = lex(query)?.toks;
    if toks.first().map(|t| &t.0) != Some(&Tok::Sym('(')) {
        return Ok(query);
    }
    let mut depth = 0usize;
    for (i, (tok, at)) in toks.iter().enumerate() {
        match tok {
            Tok::Sym('(') => depth += 1,
            Tok::Sym(')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(if i + 1 == toks.len() {
                        query[1..*at].trim()
                    } else {
                        query
                    });
                }
            }
            _ => {}
        }
    }
    Ok(query)
}

/// Parses `CREATE TABLE ... AS SELECT`; `Ok(None)` when `sql` is not one.
pub fn parse_ctas(sql: &str) -> Result<Option<Ctas>, DdlError> {
    let lx = lex(sql)?;
    let mut p = P { lx, pos: 0 };
    if !p.kws(&["create", "table"]) {
        return Ok(None);
    }
    let if_not_exists = p.kws(&["if", "not", "exists"]);
    let (database, name) = p.qualified()?;
    let properties = if p.kw("with") {
        p.with_properties()?
    } else {
        BTreeMap::new()
    };
    if !p.kw("as") {
        return Ok(None);
    }
    let start = p.lx.toks.get(p.pos).map_or(sql.len(), |t| t.1);
    let mut query = statement_rest(sql, start);
    let mut with_data = true;
    for (suffix, data) in [("with no data", false), ("with data", true)] {
        let cut = query.len().saturating_sub(suffix.len());
        if query.is_char_boundary(cut) && query[cut..].eq_ignore_ascii_case(suffix) {
            query = query[..cut].trim_end();
            with_data = data;
            break;
        }
    }
    let query = without_enclosing_parentheses(query)?;
    Ok(Some(Ctas {
        database,
        name,
        if_not_exists,
        properties,
        query: query.to_owned(),
        query_at: offset_in(sql, query),
        with_data,
    }))
}

/// Parses `UNLOAD (<query>) TO 's3://...' WITH (...)`; `Ok(None)` when `sql` is not one.
pub fn parse_unload(sql: &str) -> Result<Option<Unload>, DdlError> {
    let lx = lex(sql)?;
    let mut p = P { lx, pos: 0 };
    if !p.kw("unload") {
        return Ok(None);
    }
    let open = p.lx.toks.get(p.pos).map_or(sql.len(), |t| t.1);
    p.expect_sym('(')?;
    let mut depth = 1;
    while depth > 0 {
        match p.peek() {
            Some(Tok::Sym('(')) => depth += 1,
            Some(Tok::Sym(')')) => depth -= 1,
            None => return Err(p.error("Expecting: ')'")),
            _ => {}
        }
        p.pos += 1;
    }
    let close = p.lx.toks[p.pos - 1].1;
    let query = sql[open + 1..close].trim();
    p.expect_kw("to")?;
    let location = p.string()?;
    p.expect_kw("with")?;
    let properties = p.with_properties()?;
    p.end()?;
    Ok(Some(Unload {
        query: query.to_owned(),
        query_at: offset_in(sql, query),
        location,
        properties,
    }))
}

/// Parses `INSERT INTO`; `Ok(None)` when `sql` is not one.
pub fn parse_insert(sql: &str) -> Result<Option<Insert>, DdlError> {
    let lx = lex(sql)?;
    let mut p = P { lx, pos: 0 };
    if !p.kws(&["insert", "into"]) {
        return Ok(None);
    }
    let (database, table) = p.qualified()?;
    let mut columns = Vec::new();
    if p.peek() == Some(&Tok::Sym('(')) {
        // A column list, unless the parenthesis opens the query itself.
        let save = p.pos;
        p.pos += 1;
        if matches!(p.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case("select") || w.eq_ignore_ascii_case("with"))
        {
            p.pos = save;
        } else {
            loop {
                columns.push(p.ident()?);
                if !p.sym(',') {
                    break;
                }
            }
            p.expect_sym(')')?;
        }
    }
    let start = p.lx.toks.get(p.pos).map_or(sql.len(), |t| t.1);
    let query = statement_rest(sql, start);
    if query.is_empty() {
        return Err(p.error("Expecting: 'SELECT', 'VALUES', 'WITH'"));
    }
    Ok(Some(Insert {
        database,
        table,
        columns,
        query: query.to_owned(),
        query_at: offset_in(sql, query),
    }))
}

/// Parses `CREATE VIEW`; `Ok(None)` when `sql` is not one.
pub fn parse_view(sql: &str) -> Result<Option<CreateView>, DdlError> {
    let lx = lex(sql)?;
    let mut p = P { lx, pos: 0 };
    if !p.kw("create") {
        return Ok(None);
    }
    let or_replace = p.kws(&["or", "replace"]);
    if !p.kw("view") {
        return Ok(None);
    }
    let (database, name) = p.qualified()?;
    if p.kw("comment") {
        p.string()?;
    }
    if p.kw("security") && !(p.kw("definer") || p.kw("invoker")) {
        return Err(p.error("Expecting: 'DEFINER', 'INVOKER'"));
    }
    p.expect_kw("as")?;
    let start = p.lx.toks.get(p.pos).map_or(sql.len(), |t| t.1);
    let query = statement_rest(sql, start);
    if query.is_empty() {
        return Err(p.error("Expecting: 'SELECT', 'VALUES', 'WITH'"));
    }
    Ok(Some(CreateView {
        database,
        name,
        or_replace,
        query: query.to_owned(),
        query_at: offset_in(sql, query),
    }))
}

/// Parses one DDL statement; `Ok(None)` when `sql` is not DDL this module handles.
pub fn parse(sql: &str) -> Result<Option<Ddl>, DdlError> {
    let lx = lex(sql)?;
    let mut p = P { lx, pos: 0 };
    let ddl = if p.kw("create") {
        if p.kw("external") {
            p.expect_kw("table")?;
            p.create_table(true)?
        } else if p.kw("table") {
            // CTAS (`CREATE TABLE ... AS SELECT` / `WITH (...)`) is not DDL here.
            let save = p.pos;
            let _ = p.kws(&["if", "not", "exists"]);
            let _ = p.qualified();
            if matches!(p.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case("as") || w.eq_ignore_ascii_case("with"))
            {
                return Ok(None);
            }
            p.pos = save;
            p.create_table(false)?
        } else if p.kw("database") || p.kw("schema") {
            let if_not_exists = p.kws(&["if", "not", "exists"]);
            let name = p.ident()?;
            let mut comment = None;
            let mut location = None;
            let mut properties = BTreeMap::new();
            loop {
                if p.kw("comment") {
                    comment = Some(p.string()?);
                } else if p.kw("location") {
                    location = Some(p.string()?);
                } else if p.kws(&["with", "dbproperties"]) {
                    properties = p.properties()?;
                } else {
                    break;
                }
            }
            p.end()?;
            Ddl::CreateDatabase {
                name,
                if_not_exists,
                comment,
                location,
                properties,
            }
        } else {
            return Ok(None);
        }
    } else if p.kw("drop") {
        if p.kw("table") {
            let if_exists = p.kws(&["if", "exists"]);
            let (database, name) = p.qualified()?;
            p.end()?;
            Ddl::DropTable {
                database,
                name,
                if_exists,
            }
        } else if p.kw("view") {
            let if_exists = p.kws(&["if", "exists"]);
            let (database, name) = p.qualified()?;
            p.end()?;
            Ddl::DropView {
                database,
                name,
                if_exists,
            }
        } else if p.kw("database") || p.kw("schema") {
            let if_exists = p.kws(&["if", "exists"]);
            let name = p.ident()?;
            let cascade = p.kw("cascade");
            if !cascade {
                p.kw("restrict");
            }
            p.end()?;
            Ddl::DropDatabase {
                name,
                if_exists,
                cascade,
            }
        } else {
            return Ok(None);
        }
    } else if p.kw("alter") {
        p.expect_kw("table")?;
        let (database, table) = p.qualified()?;
        if p.kw("add") {
            let if_not_exists = p.kws(&["if", "not", "exists"]);
            let mut partitions = Vec::new();
            while p.kw("partition") {
                partitions.push(p.partition_spec()?);
            }
            if partitions.is_empty() {
                return Err(p.error("Expecting: 'PARTITION'"));
            }
            p.end()?;
            Ddl::AddPartitions {
                database,
                table,
                if_not_exists,
                partitions,
            }
        } else if p.kw("drop") {
            let if_exists = p.kws(&["if", "exists"]);
            let mut partitions = Vec::new();
            loop {
                p.expect_kw("partition")?;
                partitions.push(p.partition_spec()?);
                if !p.sym(',') {
                    break;
                }
            }
            p.end()?;
            Ddl::DropPartitions {
                database,
                table,
                if_exists,
                partitions,
            }
        } else {
            return Ok(None);
        }
    } else if p.kws(&["msck", "repair", "table"]) {
        let (database, table) = p.qualified()?;
        p.end()?;
        Ddl::MsckRepair { database, table }
    } else if p.kw("show") {
        if p.kw("databases") || p.kw("schemas") {
            let like = if p.kw("like") { Some(p.string()?) } else { None };
            p.end()?;
            Ddl::ShowDatabases { like }
        } else if p.kw("tables") {
            let database = if p.kw("in") || p.kw("from") {
                Some(p.ident()?)
            } else {
                None
            };
            let like = match p.peek().cloned() {
                Some(Tok::Str(s)) => {
                    p.pos += 1;
                    Some(s)
                }
                _ if p.kw("like") => Some(p.string()?),
                _ => None,
            };
            p.end()?;
            Ddl::ShowTables { database, like }
        } else if p.kw("partitions") {
            let (database, table) = p.qualified()?;
            p.end()?;
            Ddl::ShowPartitions { database, table }
        } else if p.kw("columns") {
            if !(p.kw("in") || p.kw("from")) {
                return Err(p.error("Expecting: 'IN', 'FROM'"));
            }
            let (mut database, table) = p.qualified()?;
            if p.kw("in") || p.kw("from") {
                database = Some(p.ident()?);
            }
            p.end()?;
            Ddl::ShowColumns { database, table }
        } else if p.kws(&["create", "table"]) {
            let (database, table) = p.qualified()?;
            p.end()?;
            Ddl::ShowCreateTable { database, table }
        } else if p.kws(&["create", "view"]) {
            let (database, name) = p.qualified()?;
            p.end()?;
            Ddl::ShowCreateView { database, name }
        } else if p.kw("views") {
            let database = if p.kw("in") || p.kw("from") {
                Some(p.ident()?)
            } else {
                None
            };
            let like = if p.kw("like") { Some(p.string()?) } else { None };
            p.end()?;
            Ddl::ShowViews { database, like }
        } else {
            return Ok(None);
        }
    } else if p.kw("describe") || p.kw("desc") {
        p.kw("formatted");
        p.kw("extended");
        let (database, table) = p.qualified()?;
        p.end()?;
        Ddl::Describe { database, table }
    } else {
        return Ok(None);
    };
    Ok(Some(ddl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_external_table_in_hive_syntax() {
        let sql = "CREATE EXTERNAL TABLE IF NOT EXISTS lake.events (
            event_id string COMMENT 'uuid',
            props struct<browser:string, screen_width:int>,
            tags array<string>,
            amount decimal(10,2)
        )
        PARTITIONED BY (year string, `month` string)
        ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
        WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '\"')
        STORED AS TEXTFILE
        LOCATION 's3://lake/events/'
        TBLPROPERTIES ('skip.header.line.count'='1');";
        let Some(Ddl::CreateTable(t)) = parse(sql).unwrap() else {
            panic!()
        };
        assert_eq!(
            (t.database.as_deref(), t.name.as_str(), t.if_not_exists),
            (Some("lake"), "events", true)
        );
        assert_eq!(t.columns[0].comment.as_deref(), Some("uuid"));
        assert_eq!(t.columns[1].ty, "struct<browser:string,screen_width:int>");
        assert_eq!(t.columns[3].ty, "decimal(10,2)");
        assert_eq!(
            t.partitions.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["year", "month"]
        );
        assert_eq!(t.serde_properties["separatorChar"], ",");
        assert_eq!(t.stored_as.as_deref(), Some("TEXTFILE"));
        assert_eq!(t.location.as_deref(), Some("s3://lake/events/"));
        assert_eq!(t.properties["skip.header.line.count"], "1");
    }

    #[test]
    fn delimited_rows_partitions_and_utility_statements() {
        let Some(Ddl::CreateTable(t)) = parse(
            "create external table t (a int) row format delimited fields terminated by '\\t' location 's3://b/t/'",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(t.field_delim.as_deref(), Some("\t"));
        let Some(Ddl::AddPartitions { partitions, .. }) = parse(
            "ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', h=3) LOCATION 's3://b/t/x/' PARTITION (dt='2024-01-02', h=4)",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(partitions.len(), 2);
        assert_eq!(
            partitions[0].values,
            [("dt".into(), "2024-01-01".into()), ("h".into(), "3".into())]
        );
        assert_eq!(partitions[0].location.as_deref(), Some("s3://b/t/x/"));
        assert!(matches!(
            parse("MSCK REPAIR TABLE db.t").unwrap(),
            Some(Ddl::MsckRepair { .. })
        ));
        assert!(matches!(
            parse("show tables in lake 'ev*'").unwrap(),
            Some(Ddl::ShowTables { .. })
        ));
        assert!(matches!(
            parse("DESCRIBE lake.events").unwrap(),
            Some(Ddl::Describe { .. })
        ));
        assert_eq!(parse("CREATE TABLE x AS SELECT 1").unwrap(), None);
        let c = parse_ctas(
            "CREATE TABLE db.t WITH (format = 'PARQUET', partitioned_by = ARRAY['dt'], external_location='s3://b/t/') AS SELECT a, dt FROM s WITH DATA",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (c.database.as_deref(), c.name.as_str(), c.with_data),
            (Some("db"), "t", true)
        );
        assert_eq!(c.properties["partitioned_by"], "dt");
        assert_eq!(c.query, "SELECT a, dt FROM s");
        let i = parse_insert("INSERT INTO db.t (a, b) SELECT 1, 2").unwrap().unwrap();
        assert_eq!(
            (i.table.as_str(), i.columns.len(), i.query.as_str(), i.query_at),
            ("t", 2, "SELECT 1, 2", 24)
        );
    }

    #[test]
    fn a_ctas_query_loses_only_parentheses_around_all_of_it() {
        let query = |sql: &str| {
            let c = parse_ctas(sql).unwrap().unwrap();
            assert_eq!(&sql[c.query_at..c.query_at + c.query.len()], c.query, "{sql}");
            (c.query, c.with_data)
        };
        assert_eq!(
            query("CREATE TABLE t AS ( SELECT (1) ) WITH NO DATA;"),
            ("SELECT (1)".into(), false)
        );
        assert_eq!(
            query("CREATE TABLE t AS SELECT max(a) FROM (SELECT 1 a)"),
            ("SELECT max(a) FROM (SELECT 1 a)".into(), true)
        );
        assert_eq!(
            query("CREATE TABLE t AS (SELECT 1) UNION (SELECT 2)"),
            ("(SELECT 1) UNION (SELECT 2)".into(), true)
        );
        assert_eq!(
            query("CREATE TABLE t AS SELECT ')' AS p with data"),
            ("SELECT ')' AS p".into(), true)
        );
        assert_eq!(parse_insert("SELECT 1").unwrap(), None);
        assert_eq!(parse("SELECT 1").unwrap(), None);
        let e = parse("CREATE EXTERNAL TABLE t (a int) LOCATON 's3://x/'").unwrap_err();
        assert_eq!((e.line, e.column), (1, 33));
        assert!(e.message.starts_with("mismatched input 'LOCATON'"), "{}", e.message);
    }
}
