//! A Lambda custom runtime (`provided.al2023`'s `bootstrap`) that answers
//! each event with itself: the Runtime API over one kept-alive HTTP/1.1
//! connection, with the standard library only. The Lambda benchmark zips
//! it as a compiled function's bootstrap, as cargo-lambda or Go would
//! build one; it exits when the server goes away.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

fn main() {
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        eprintln!("AWS_LAMBDA_RUNTIME_API is not set");
        std::process::exit(1);
    };
    if let Err(e) = serve(&api) {
        eprintln!("runtime API: {e}");
    }
}

fn serve(api: &str) -> std::io::Result<()> {
    let stream = TcpStream::connect(api)?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        write!(
            writer,
            "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api}\r\n\r\n"
        )?;
        let (headers, event) = response(&mut reader)?;
        let id = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("lambda-runtime-aws-request-id"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        write!(
            writer,
            "POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nHost: {api}\r\nContent-Length: {}\r\n\r\n",
            event.len()
        )?;
        writer.write_all(&event)?;
        response(&mut reader)?;
    }
}

type Headers = Vec<(String, String)>;

/// Reads one response: its headers and its body (by Content-Length).
fn response(r: &mut BufReader<TcpStream>) -> std::io::Result<(Headers, Vec<u8>)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok((headers, body))
}
