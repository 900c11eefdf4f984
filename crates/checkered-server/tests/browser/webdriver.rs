//! A small W3C WebDriver client over reqwest, driving Debian's `chromium` through
//! `chromedriver` (started on a free port per test, killed on drop).
//!
//! The protocol is a handful of JSON-over-HTTP calls; speaking it directly keeps the test
//! build to crates the workspace already compiles (reqwest is a dev-dependency already).

use base64::Engine as _;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a test waits for the page to reach a state.
pub const PATIENCE: Duration = Duration::from_secs(30);

const CHROMIUM: &str = "/usr/bin/chromium";

/// A running chromedriver.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    /// Kills chromedriver and every browser it started (a test that failed midway never
    /// ended its sessions), so nothing outlives the test.
    fn drop(&mut self) {
        let mut tree = vec![self.child.id()];
        let mut i = 0;
        while i < tree.len() {
            tree.extend(children(tree[i]));
            i += 1;
        }
        for pid in tree.iter().skip(1).rev() {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The processes whose parent is `pid` (from /proc).
fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|stat| {
                    // `pid (comm) state ppid …`; comm may hold spaces, so read after ')'.
                    let rest = &stat[stat.rfind(')')? + 1..];
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

fn find(binary: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(binary))
        .find(|p| p.is_file())
}

impl Driver {
    /// Starts chromedriver, or `None` (with the reason printed) when Chromium or
    /// chromedriver is missing; with `CHECKERED_REQUIRE_SERVICES=1` a missing browser fails
    /// the test instead.
    pub async fn start() -> Option<Driver> {
        let driver = find("chromedriver");
        if driver.is_none() || !Path::new(CHROMIUM).is_file() {
            let reason = "skipped: needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)";
            assert!(
                std::env::var("CHECKERED_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "browser tests are required (CHECKERED_REQUIRE_SERVICES=1) but {reason}"
            );
            eprintln!("{reason}");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(driver.expect("checked"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Ok(r) = driver
                .http
                .get(format!("{}/status", driver.base))
                .send()
                .await
            {
                let body: Value = r.json().await.unwrap_or(Value::Null);
                if body["value"]["ready"] == true {
                    return Some(driver);
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromedriver never became ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless browser session with its own fresh profile.
    pub async fn browser(&self, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-renderer-backgrounding".to_owned(),
            "--disable-background-timer-throttling".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let answer = call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/session", self.base),
            Some(caps),
        )
        .await;
        let id = answer["sessionId"].as_str().expect("session id").to_owned();
        Browser {
            http: self.http.clone(),
            session: format!("{}/session/{id}", self.base),
            _profile: profile,
        }
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Value {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("webdriver request");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "webdriver {url}: {status} {body}");
    body["value"].clone()
}

/// One browser session.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn post(&self, path: &str, body: Value) -> Value {
        call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}{path}", self.session),
            Some(body),
        )
        .await
    }

    /// Opens a URL and waits for the load.
    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    /// Resizes the window (a phone, a big screen).
    pub async fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await;
    }

    /// Runs a script (its `return` value comes back).
    pub async fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// How long a script (and the promise it returns) may run.
    pub async fn script_timeout(&self, ms: u64) {
        self.post("/timeouts", json!({"script": ms})).await;
    }

    /// Polls `script` until it returns something truthy; returns it.
    pub async fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let value = self.js(script).await;
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!(0)
                && value != json!("");
            if truthy {
                return value;
            }
            if tokio::time::Instant::now() >= deadline {
                let page = self
                    .js("return {seq: document.body.dataset.seq, url: location.href, main: (document.querySelector('main') || document.body).innerText.slice(0, 1500)}")
                    .await;
                panic!("the page never got to: {what} (last value {value}); the page: {page}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .wait_for(
                &format!("an element {css}"),
                &format!("return !!document.querySelector({css:?})"),
            )
            .await;
        assert_eq!(found, json!(true));
        let value = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        value
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element id")
            .to_owned()
    }

    /// Clicks an element as a user would.
    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.post(&format!("/element/{id}/click"), json!({})).await;
    }

    /// Clears a field and types into it (`\u{E007}` is Enter).
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.post(&format!("/element/{id}/clear"), json!({})).await;
        self.post(&format!("/element/{id}/value"), json!({"text": text}))
            .await;
    }

    /// Saves a PNG screenshot of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let value = call(
            &self.http,
            reqwest::Method::GET,
            &format!("{}/screenshot", self.session),
            None,
        )
        .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().expect("base64 screenshot"))
            .expect("screenshot decodes");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("screenshot written");
    }

    /// Ends the session (the browser exits).
    pub async fn close(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

/// Where a screenshot goes: `docs/screenshots/` with `CHECKERED_SCREENSHOTS=1` (to
/// refresh the docs' pictures), else the target's scratch directory, so a plain
/// `cargo test` leaves the work tree clean.
pub fn screenshot_path(name: &str) -> std::path::PathBuf {
    let dir = if std::env::var("CHECKERED_SCREENSHOTS").as_deref() == Ok("1") {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    dir.join(name)
}
