//! Browser tests: headless Chromium driven through ChromeDriver.
//!
//! Each test starts its own ChromeDriver on a free loopback port and a headless Chromium with
//! a fresh profile, then walks the pages the way a person does: typing, pressing Enter and
//! Tab, clicking links and buttons. Chromium and ChromeDriver come from the Debian packages
//! `chromium` and `chromium-driver`; without them the tests fail, they are never skipped.
//! A screenshot of the home page is left at `target/browser-home.png`.

use crate::{TestApp, PASSWORD};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use serde_json::json;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vanphong_core::auth::{Role, Secrecy};
use vanphong_store::Backend;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const INSTALL: &str = "install the Debian packages `chromium chromium-driver` (apt-get install chromium chromium-driver)";
/// The longest any single wait may take: a page load, an element appearing.
const WAIT: Duration = Duration::from_secs(15);
/// How long ChromeDriver may take to answer on its /status endpoint.
const DRIVER_START: Duration = Duration::from_secs(20);

vanphong_store::on_both_backends!(browser_signs_in_and_reaches_home);

async fn browser_signs_in_and_reaches_home(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_user("admin", &[Role::Administrator], None, Secrecy::Normal)
        .await;
    // Dropped before `app`, so ChromeDriver is gone before the temporary directory is removed.
    let driver = ChromeDriver::start(app.db.dir.path()).await;
    let client = driver
        .browser(&app.db.dir.path().join("chromium-profile"))
        .await;

    let walked = AssertUnwindSafe(walk(&client, &app)).catch_unwind().await;
    // Close the browser whatever happened, then report the failure, if any.
    let closed = client.close().await;
    if let Err(panic) = walked {
        std::panic::resume_unwind(panic);
    }
    closed.expect("closing the browser session");

    let units = vanphong_store::org::units(&app.db.db).await.unwrap();
    assert!(
        units.is_empty(),
        "the invalid unit must not have been saved: {units:?}"
    );
}

/// The path a person takes: sign in (wrong, then right), look around, switch language,
/// make a mistake in a form, sign out.
async fn walk(client: &Client, app: &TestApp) {
    client
        .set_window_size(1280, 900)
        .await
        .expect("sizing the window");

    // Opening the site without a session leads to the sign-in page, in Vietnamese.
    client.goto(&app.url("/")).await.expect("opening /");
    wait_for(client, "form[action='/login']").await;
    assert_eq!(path(client).await, "/login");
    let title = client.title().await.unwrap();
    assert!(
        title.contains("Đăng nhập"),
        "the sign-in page's title: {title:?}"
    );

    // From the keyboard: the user name field has the focus, Tab leads to the password.
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        id_of(&focused).await,
        "f-username",
        "the user name field should have the focus"
    );
    focused.send_keys("admin").await.unwrap();
    let password = tab(client, "f-password").await;
    password.send_keys("mật khẩu sai").await.unwrap();
    wait_for(client, "form[action='/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();

    let error = wait_for(client, "#login-error").await;
    assert_eq!(
        error.text().await.unwrap(),
        "Tên đăng nhập hoặc mật khẩu không đúng."
    );
    assert_eq!(path(client).await, "/login");
    let username = wait_for(client, "#f-username").await;
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some("admin"),
        "the user name is kept"
    );

    // The right password, submitted with Enter: after a failed attempt the user name is
    // kept and the focus waits in the password field.
    let password = client.active_element().await.unwrap();
    assert_eq!(
        id_of(&password).await,
        "f-password",
        "after a failed attempt the focus is on the password"
    );
    assert_eq!(
        password.prop("value").await.unwrap().as_deref(),
        Some(""),
        "the wrong password is not sent back"
    );
    password
        .send_keys(&format!("{PASSWORD}{}", Key::Enter))
        .await
        .unwrap();

    // The home page greets the user by name and offers the administration links.
    wait_for(client, "section.cards").await;
    assert_eq!(path(client).await, "/");
    assert_eq!(text(client, "h1").await, "Xin chào, Người dùng admin");
    assert_eq!(
        text(client, "header .account a[href='/account']").await,
        "Người dùng admin"
    );
    assert_eq!(text(client, "nav a[href='/admin']").await, "Quản trị");
    assert_eq!(
        attribute(client, "nav a[href='/']", "aria-current")
            .await
            .as_deref(),
        Some("page")
    );
    save_screenshot(client).await;

    // The language switch shows the same page in English.
    let switch = wait_for(client, "header a.lang").await;
    assert_eq!(switch.text().await.unwrap(), "English");
    switch.click().await.unwrap();
    wait_for(client, "html[lang='en'] section.cards").await;
    assert_eq!(path(client).await, "/");
    assert_eq!(text(client, "h1").await, "Hello, Người dùng admin");
    assert_eq!(text(client, "header a.lang").await, "Tiếng Việt");

    // The administration index leads to the user list, which shows the user.
    wait_for(client, "nav a[href='/admin']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "main a.card[href='/admin/users']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "table.list").await;
    assert_eq!(path(client).await, "/admin/users");
    let row = wait_for_xpath(
        client,
        "//table[contains(@class,'list')]//tr[td/a[normalize-space()='admin']]",
    )
    .await;
    let row = row.text().await.unwrap();
    assert!(row.contains("Người dùng admin"), "the user's row: {row:?}");

    // A new unit with an invalid abbreviation: the error appears next to the field.
    wait_for(client, "nav a[href='/admin']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "main a.card[href='/admin/units']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "form[action='/admin/units'] #f-abbreviation").await;
    assert_eq!(path(client).await, "/admin/units");
    wait_for(client, "#f-name")
        .await
        .send_keys("Phòng thử nghiệm")
        .await
        .unwrap();
    let abbreviation = wait_for(client, "#f-abbreviation").await;
    abbreviation
        .send_keys(&format!("v p{}", Key::Enter))
        .await
        .unwrap();

    let error = wait_for_xpath(
        client,
        "//div[contains(@class,'field') and contains(@class,'invalid')][.//input[@id='f-abbreviation']]//p[@id='e-abbreviation']",
    )
    .await;
    assert_eq!(
        error.text().await.unwrap(),
        "An abbreviation has only capital letters and digits, without spaces or hyphens."
    );
    let abbreviation = wait_for(client, "#f-abbreviation").await;
    assert_eq!(
        abbreviation.prop("value").await.unwrap().as_deref(),
        Some("v p"),
        "the typed value is kept"
    );
    assert_eq!(
        abbreviation.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        abbreviation
            .attr("aria-describedby")
            .await
            .unwrap()
            .as_deref(),
        Some("h-abbreviation e-abbreviation"),
        "the hint and the error are read with the field"
    );
    assert_eq!(
        id_of(&client.active_element().await.unwrap()).await,
        "f-abbreviation",
        "the first field in error takes the focus"
    );
    assert_eq!(
        text(client, "div.alert.error").await,
        "Please correct the fields marked below."
    );
    assert_eq!(
        wait_for(client, "#f-name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Phòng thử nghiệm"),
        "the other fields are kept"
    );

    // Signing out leads back to the sign-in page, and the session is gone.
    wait_for(client, "form[action='/logout'] button")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "form[action='/login'] #f-password").await;
    assert_eq!(path(client).await, "/login");
    let title = client.title().await.unwrap();
    assert!(
        title.contains("Sign in") || title.contains("Đăng nhập"),
        "the sign-in page's title: {title:?}"
    );
    assert!(
        client
            .find(Locator::Css("form[action='/logout']"))
            .await
            .is_err(),
        "no sign-out button after signing out"
    );
    client.goto(&app.url("/")).await.unwrap();
    wait_for(client, "form[action='/login'] #f-password").await;
    assert_eq!(
        path(client).await,
        "/login",
        "the home page needs signing in again"
    );
}

/// Waits, bounded, for an element matching a CSS selector.
async fn wait_for(client: &Client, css: &str) -> Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!("waiting for `{css}`: {e}\n{}", where_we_are(client).await),
    }
}

/// Waits, bounded, for an element matching an XPath expression.
async fn wait_for_xpath(client: &Client, xpath: &str) -> Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!("waiting for `{xpath}`: {e}\n{}", where_we_are(client).await),
    }
}

/// The page's address and text, for failure messages.
async fn where_we_are(client: &Client) -> String {
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let body = match client.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!("at {url}, the page reads:\n{body}")
}

async fn text(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

async fn path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_owned()
}

async fn id_of(element: &Element) -> String {
    element.attr("id").await.unwrap().unwrap_or_default()
}

/// Presses Tab on the focused element and checks where the focus went.
async fn tab(client: &Client, expected_id: &str) -> Element {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    let focused = client.active_element().await.unwrap();
    assert_eq!(id_of(&focused).await, expected_id, "where Tab leads");
    focused
}

/// Leaves a picture of the page in the target directory for people to look at; a failure
/// to write it is reported but does not fail the test.
async fn save_screenshot(client: &Client) {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    };
    let file = target.join("browser-home.png");
    let result = async {
        let png = client.screenshot().await.map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
        // Both backends run at once: write aside, then rename over the file in one step.
        let partial = target.join(format!("browser-home.png.{}.part", std::process::id()));
        std::fs::write(&partial, png).map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &file).map_err(|e| e.to_string())
    }
    .await;
    if let Err(e) = result {
        eprintln!(
            "warning: could not save the screenshot {}: {e}",
            file.display()
        );
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A ChromeDriver process on a free loopback port, killed when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
    log: PathBuf,
}

impl ChromeDriver {
    async fn start(dir: &Path) -> Self {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing; {INSTALL}"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("finding a free loopback port")
            .port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}; {INSTALL}"));
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        driver.wait_until_ready().await;
        driver
    }

    /// Polls /status until ChromeDriver says it is ready, or gives up after `DRIVER_START`.
    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let status = format!("{}/status", self.url);
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "{CHROMEDRIVER} stopped ({exit}) before it was ready; {INSTALL}\n{}",
                    self.log_tail()
                );
            }
            if let Ok(response) = http.get(&status).send().await {
                if let Ok(body) = response.json::<serde_json::Value>().await {
                    if body["value"]["ready"] == json!(true) {
                        return;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "{CHROMEDRIVER} did not answer on {status} within {DRIVER_START:?}\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium session with its own profile directory.
    async fn browser(&self, profile: &Path) -> Client {
        std::fs::create_dir_all(profile).expect("a profile directory for Chromium");
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        // ChromeDriver is on loopback: plain HTTP, no TLS.
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "starting Chromium through ChromeDriver: {e}; {INSTALL}\n{}",
                    self.log_tail()
                )
            })
    }

    /// The end of ChromeDriver's log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = log.len().saturating_sub(4000);
        let start = (start..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(log.len());
        format!(
            "ChromeDriver's log ({}):\n{}",
            self.log.display(),
            &log[start..]
        )
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An attribute of the first element matching `css`, once it is there.
async fn attribute(client: &Client, css: &str, name: &str) -> Option<String> {
    wait_for(client, css).await.attr(name).await.unwrap()
}
