//! Kill -9 during concurrent uploads: every acknowledged object must come back
//! whole, and nothing half-written may ever be listed.

use std::sync::{Arc, Mutex};

use crate::common::{Server, body, md5_hex, pattern, temp_dir};

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = temp_dir();
    let s = Server::start_in(dir.path());
    let c = s.client();
    c.create_bucket().bucket("crash").send().await.unwrap();

    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for w in 0..8u8 {
        let c = c.clone();
        let acked = Arc::clone(&acked);
        tasks.push(tokio::spawn(async move {
            for i in 0..1000u32 {
                let key = format!("w{w}/obj{i:04}");
                let data = pattern(64 * 1024 + usize::from(w) * 1000 + i as usize, w.wrapping_add(i as u8));
                let md5 = md5_hex(&data);
                if c.put_object()
                    .bucket("crash")
                    .key(&key)
                    .body(data.into())
                    .send()
                    .await
                    .is_err()
                {
                    return;
                }
                acked.lock().unwrap().push((key, md5));
            }
        }));
    }
    // Let the writers get going, then kill the server mid-flight.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while acked.lock().unwrap().len() < 200 {
        assert!(std::time::Instant::now() < deadline, "writers stalled before the kill");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    s.kill9();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 200);

    let s = Server::start_in(dir.path());
    let c = s.client();
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let out = c
            .list_objects_v2()
            .bucket("crash")
            .set_continuation_token(token)
            .send()
            .await
            .unwrap();
        listed.extend(
            out.contents()
                .iter()
                .map(|o| (o.key().unwrap().to_owned(), o.e_tag().unwrap().to_owned())),
        );
        if out.is_truncated() != Some(true) {
            break;
        }
        token = out.next_continuation_token().map(str::to_owned);
    }
    // Every acknowledged object is listed and intact.
    for (key, md5) in &acked {
        let got = c.get_object().bucket("crash").key(key).send().await.unwrap();
        assert_eq!(got.e_tag(), Some(format!("\"{md5}\"").as_str()), "{key}");
        assert_eq!(md5_hex(&body(got).await), *md5, "{key}");
    }
    // Whatever else is listed (writes that completed but whose answer was lost) is whole too.
    for (key, etag) in &listed {
        let got = c.get_object().bucket("crash").key(key).send().await.unwrap();
        assert_eq!(format!("\"{}\"", md5_hex(&body(got).await)), *etag, "{key}");
    }
    assert!(listed.len() >= acked.len());
    // Interrupted bodies left nothing behind once the start-up sweep ran:
    // one blob file per listed object, no more.
    let mut blobs = 0;
    for _ in 0..50 {
        blobs = std::fs::read_dir(dir.path().join("s3/blobs"))
            .unwrap()
            .map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
            .sum::<usize>();
        if blobs == listed.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(blobs, listed.len());
}
