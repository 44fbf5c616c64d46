//! restJson1 routing: a request's method and path name its operation, and
//! the path's `{Label}` segments carry members of its input.

use http::Method;

use crate::spec::Route;

/// A matched route: the operation and its path labels, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub operation: &'static str,
    pub labels: Vec<(String, String)>,
}

/// The first route whose method and path match.
pub fn route(routes: &[Route], method: &Method, path: &str) -> Option<Matched> {
    routes.iter().filter(|r| r.method == *method).find_map(|r| {
        labels(r.path, path).map(|labels| Matched {
            operation: r.operation,
            labels,
        })
    })
}

/// Whether any route's path matches, whatever the method: the request is
/// this service's even if the method is wrong.
pub fn claims(routes: &[Route], path: &str) -> bool {
    routes.iter().any(|r| labels(r.path, path).is_some())
}

fn labels(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    // botocore writes some collection routes with a trailing slash
    // (`GET /2015-03-31/functions/`); the model's route has none.
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let mut segs = path.trim_start_matches('/').split('/');
    let mut tmpl = template.trim_start_matches('/').split('/').peekable();
    while let Some(t) = tmpl.next() {
        if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            if let Some(greedy) = name.strip_suffix('+') {
                let rest: Vec<&str> = segs.by_ref().collect();
                if rest.is_empty() || tmpl.peek().is_some() {
                    return None;
                }
                out.push((greedy.to_owned(), decode(&rest.join("/"))));
                return Some(out);
            }
            let seg = segs.next().filter(|s| !s.is_empty())?;
            out.push((name.to_owned(), decode(seg)));
        } else if segs.next()? != t {
            return None;
        }
    }
    segs.next().is_none().then_some(out)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route] = &[
        Route {
            method: Method::POST,
            path: "/2015-03-31/functions/{FunctionName}/invocations",
            operation: "Invoke",
        },
        Route {
            method: Method::GET,
            path: "/2015-03-31/functions/{FunctionName}",
            operation: "GetFunction",
        },
        Route {
            method: Method::GET,
            path: "/tags/{Resource+}",
            operation: "ListTags",
        },
    ];

    #[test]
    fn routes_match_with_labels() {
        let m = route(ROUTES, &Method::POST, "/2015-03-31/functions/my%3Afn/invocations").unwrap();
        assert_eq!(m.operation, "Invoke");
        assert_eq!(m.labels, [("FunctionName".to_owned(), "my:fn".to_owned())]);
        assert_eq!(
            route(ROUTES, &Method::GET, "/2015-03-31/functions/f")
                .unwrap()
                .operation,
            "GetFunction"
        );
        assert_eq!(
            route(ROUTES, &Method::GET, "/tags/arn:aws:lambda:r:1:function/f")
                .unwrap()
                .labels[0]
                .1,
            "arn:aws:lambda:r:1:function/f"
        );
        assert!(route(ROUTES, &Method::DELETE, "/2015-03-31/functions/f").is_none());
        assert!(claims(ROUTES, "/2015-03-31/functions/f"));
        assert!(route(ROUTES, &Method::GET, "/2015-03-31/functions//x").is_none());
        assert!(route(ROUTES, &Method::GET, "/2015-03-31/functions/f/x").is_none());
    }
}
