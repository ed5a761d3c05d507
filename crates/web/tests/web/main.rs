//! Web tests: the real server on a loopback port, driven over real HTTP, on a fresh
//! SQLite database and a fresh PostgreSQL database each.

mod api;
mod browser;
mod documents;
mod dossiers;
mod hotline;
mod open311;
mod outgoing;
mod pages;
mod records;
mod registers;
mod report_archive;
mod reports;
mod search;
mod security;

use reqwest::{Client, Response, StatusCode};
use std::net::SocketAddr;
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::UnitId;
use vanphong_core::org::Abbreviation;
use vanphong_store::audit::Origin;
use vanphong_store::blobs::BlobStore;
use vanphong_store::org::{self, UnitInput};
use vanphong_store::testing::TestDb;
use vanphong_store::users::{self, NewUser, User};
use vanphong_store::Backend;
use vanphong_web::{AppState, WebConfig};

pub const PASSWORD: &str = "mật khẩu thử nghiệm";

/// A running vanphong on its own database, reached over HTTP.
pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, WebConfig::default(), 10 * 1024 * 1024).await
    }

    pub async fn start_with(backend: Backend, config: WebConfig, max_upload: u64) -> Self {
        let db = TestDb::new(backend).await;
        let blobs = BlobStore::open(
            db.dir.path().join("blobs").to_str().unwrap(),
            &db.dir.path().join("uploads"),
            max_upload,
        )
        .unwrap();
        let state = AppState::new(db.db.clone(), blobs, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        tokio::spawn(async move {
            let _ = vanphong_web::serve(listener, serving, async move {
                let _ = rx.await;
            })
            .await;
        });
        Self {
            base: format!("http://{address}"),
            db,
            state,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn create_unit(
        &self,
        name: &str,
        abbreviation: &str,
        parent: Option<UnitId>,
    ) -> UnitId {
        org::create_unit(
            &self.db.db,
            &Origin::system(),
            &UnitInput {
                parent_id: parent,
                name: name.into(),
                abbreviation: Abbreviation::parse(abbreviation).unwrap(),
                sort_order: 0,
                active: true,
            },
        )
        .await
        .unwrap()
        .id
    }

    pub async fn create_user(
        &self,
        username: &str,
        roles: &[Role],
        unit: Option<UnitId>,
        clearance: Secrecy,
    ) -> User {
        users::create(
            &self.db.db,
            &Origin::system(),
            NewUser {
                username: Username::parse(username).unwrap(),
                full_name: format!("Người dùng {username}"),
                email: String::new(),
                phone: String::new(),
                unit_id: unit,
                position_id: None,
                clearance,
                roles: roles.to_vec(),
                password: NewPassword::parse(PASSWORD).unwrap(),
            },
        )
        .await
        .unwrap()
    }

    /// Fetches a page and returns the CSRF token of its forms.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF field on {path}: {html}"))
    }

    /// Signs in through the form, as a person would.
    pub async fn sign_in(&self, client: &Client, username: &str, password: &str) -> Response {
        let token = self.csrf(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// A signed-in browser for a new user with these roles.
    pub async fn signed_in(&self, username: &str, roles: &[Role], unit: Option<UnitId>) -> Client {
        self.create_user(username, roles, unit, Secrecy::Normal)
            .await;
        let client = Self::browser();
        let response = self.sign_in(&client, username, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "signing in as {username}"
        );
        client
    }

    /// Posts a form with the page's CSRF token.
    pub async fn post_form(
        &self,
        client: &Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf(client, form_page).await;
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// An API key acting as a new user with these roles.
    pub async fn api_key(&self, username: &str, roles: &[Role]) -> String {
        let user = self
            .create_user(username, roles, None, Secrecy::Normal)
            .await;
        vanphong_store::api_keys::create(&self.db.db, &Origin::system(), "test", user.id)
            .await
            .unwrap()
            .1
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
