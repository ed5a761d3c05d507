//! What the page benchmarks share (included with `#[path]` by `documents` and `national`):
//! signing a demo user in and timing a page.

use std::time::Instant;

/// A client signed in as the demo user `username` (password `demo-vanphong`).
pub fn signed_in(base: &str, username: &str) -> reqwest::blocking::Client {
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{base}/login"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let token = login
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", username),
            ("password", "demo-vanphong"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "signing in as {username}");
    client
}

/// The `p` quantile (0..1) of `values`, sorted in place.
fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

/// p50 and p95 in milliseconds of `rounds` requests for `url`.
pub fn measure(client: &reqwest::blocking::Client, url: &str, rounds: usize) -> (f64, f64) {
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = client.get(url).send().unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        let _ = r.bytes();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let p50 = percentile(&mut times.clone(), 0.5);
    (p50, percentile(&mut times, 0.95))
}
