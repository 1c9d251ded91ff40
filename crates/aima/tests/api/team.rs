//! A team: users with passwords and roles, sessions, keys of users, the
//! route-by-role table, the audit log, signed webhooks and the refusal to
//! serve anonymous access off loopback. Real servers over loopback HTTP, on
//! SQLite and PostgreSQL.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::Mac;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// A server that needs a key or a session, with an admin key of `default`.
async fn team_app(
    backend: Backend,
    configure: Option<fn(&mut aima::config::Config)>,
) -> (TestApp, String) {
    let app = spawn_with(Options {
        backend,
        allow_anonymous: false,
        configure,
        ..Options::default()
    })
    .await;
    let key = create_key(&app, "default");
    (app, key)
}

/// A request with a key, or with a session cookie (and the CSRF header).
#[derive(Clone)]
enum As {
    Key(String),
    Cookie(String),
}

async fn call(
    app: &TestApp,
    who: &As,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = app.client.request(method, app.url(path));
    r = match who {
        As::Key(k) => r.bearer_auth(k),
        As::Cookie(c) => r.header("cookie", c).header("x-aima-csrf", "1"),
    };
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Asserts that a call is refused with `status` and the error `code`.
async fn refused(
    app: &TestApp,
    who: &As,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
    code: &str,
) {
    let (s, v) = call(app, who, method.clone(), path, body).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (status, Some(code)),
        "{method} {path}: {v}"
    );
}

/// Signs in; the cookie pair (`aima_session=...`) or the failed answer.
async fn login(
    app: &TestApp,
    name: &str,
    password: &str,
) -> Result<(String, Value), (u16, Value, Option<String>)> {
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .expect("login");
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or_default().to_string());
    let body: Value = r.json().await.unwrap_or(Value::Null);
    match (status, cookie) {
        (200, Some(c)) => Ok((c, body)),
        _ => Err((status, body, retry)),
    }
}

async fn create_user(app: &TestApp, admin: &As, name: &str, password: &str, role: &str) -> String {
    let (status, v) = call(
        app,
        admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({"name": name, "password": password, "role": role})),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["role"], role);
    v["id"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn users_sign_in_and_act_by_their_roles() {
    for backend in backends() {
        users_roles_sessions_and_keys(backend).await;
    }
}

async fn users_roles_sessions_and_keys(backend: Backend) {
    let (app, admin_key) = team_app(backend, None).await;
    let admin = As::Key(admin_key.clone());
    let boss = create_user(&app, &admin, "boss", "boss password 1", "admin").await;
    let alice = create_user(&app, &admin, "alice", "alice password", "editor").await;
    let victor = create_user(&app, &admin, "victor", "victor password", "viewer").await;

    // Names and passwords that are refused, and the table still whole.
    refused(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({"name": "alice", "password": "another one", "role": "viewer"})),
        409,
        "user_exists",
    )
    .await;
    for name in [
        "'; DROP TABLE users;--",
        "../../etc/passwd",
        "a b",
        "<script>",
    ] {
        let (s, v) = call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/users",
            Some(json!({"name": name, "password": "long enough", "role": "viewer"})),
        )
        .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{name}: {v}"
        );
    }
    let (s, v) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({"name": "shorty", "password": "short", "role": "viewer"})),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({"name": "x", "password": "long enough", "role": "root"})),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let (_, users) = call(&app, &admin, Method::GET, "/api/v1/users", None).await;
    let names: Vec<&str> = users["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["boss", "alice", "victor"], "{users}");

    // Wrong passwords and unknown names: the same answer.
    for (name, password) in [("victor", "wrong password"), ("nobody", "victor password")] {
        let Err((s, v, _)) = login(&app, name, password).await else {
            panic!("{name} signed in with a wrong password");
        };
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (401, Some("invalid_credentials")),
            "{v}"
        );
    }

    // A viewer reads, and every write is refused with `forbidden`.
    let (v_cookie, info) = login(&app, "victor", "victor password")
        .await
        .expect("victor signs in");
    assert_eq!(
        (&info["role"], &info["user"]["name"], &info["via"]),
        (&json!("viewer"), &json!("victor"), &json!("cookie")),
        "{info}"
    );
    let viewer = As::Cookie(v_cookie.clone());
    assert_eq!(
        call(&app, &viewer, Method::GET, "/api/v1/media", None)
            .await
            .0,
        200
    );
    refused(
        &app,
        &viewer,
        Method::POST,
        "/api/v1/modes",
        Some(json!({"name": "focus"})),
        403,
        "forbidden",
    )
    .await;
    // The CSRF header is still required of a cookie's write.
    let r = app
        .client
        .post(app.url("/api/v1/modes"))
        .header("cookie", &v_cookie)
        .json(&json!({"name": "focus"}))
        .send()
        .await
        .expect("write");
    assert_eq!(r.status().as_u16(), 403);

    // An editor writes, but cannot make itself admin, nor a key above it.
    let (a_cookie, _) = login(&app, "alice", "alice password")
        .await
        .expect("alice signs in");
    let editor = As::Cookie(a_cookie.clone());
    assert_eq!(
        call(
            &app,
            &editor,
            Method::POST,
            "/api/v1/modes",
            Some(json!({"name": "focus"}))
        )
        .await
        .0,
        201
    );
    refused(
        &app,
        &editor,
        Method::PATCH,
        &format!("/api/v1/users/{alice}"),
        Some(json!({"role": "admin"})),
        403,
        "forbidden",
    )
    .await;
    refused(
        &app,
        &editor,
        Method::POST,
        "/api/v1/keys",
        Some(json!({"name": "mine", "role": "admin"})),
        403,
        "forbidden",
    )
    .await;

    // Keys of a user: shown once, listed by prefix, acting with the chosen role.
    let (s, made) = call(
        &app,
        &editor,
        Method::POST,
        "/api/v1/keys",
        Some(json!({"name": "ci-reader", "role": "viewer", "expires_in_days": 30})),
    )
    .await;
    assert_eq!(s, 201, "{made}");
    let reader_key = made["key"].as_str().unwrap_or_default().to_string();
    assert!(
        reader_key.starts_with(made["prefix"].as_str().unwrap_or("-")),
        "{made}"
    );
    assert_eq!(made["user_id"], json!(alice));
    let reader = As::Key(reader_key.clone());
    assert_eq!(
        call(&app, &reader, Method::GET, "/api/v1/modes", None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(
            &app,
            &reader,
            Method::POST,
            "/api/v1/modes",
            Some(json!({"name": "learn"}))
        )
        .await
        .0,
        403
    );
    let (_, mine) = call(&app, &editor, Method::GET, "/api/v1/keys", None).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");
    assert!(
        !mine.to_string().contains(&reader_key),
        "a listing shows no key"
    );
    let (_, all) = call(&app, &admin, Method::GET, "/api/v1/keys", None).await;
    assert!(
        all["items"].as_array().map(Vec::len).unwrap_or(0) >= 2,
        "{all}"
    );
    // Another user's key is not the viewer's to revoke.
    let key_id = made["id"].as_str().unwrap_or_default().to_string();
    let (s, _) = call(
        &app,
        &viewer,
        Method::DELETE,
        &format!("/api/v1/keys/{key_id}"),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, v) = call(
        &app,
        &editor,
        Method::DELETE,
        &format!("/api/v1/keys/{key_id}"),
        None,
    )
    .await;
    assert_eq!((s, v["revoked_at"].is_i64()), (200, true), "{v}");
    assert_eq!(
        call(&app, &reader, Method::GET, "/api/v1/modes", None)
            .await
            .0,
        401
    );

    // An expired key.
    let backends_ = aima::app::open_backends(&app.config)
        .await
        .expect("open the store");
    let expired = aima_store::generate_api_key();
    backends_
        .store
        .create_key(&aima_store::NewKey {
            workspace: "default".into(),
            name: "old".into(),
            key_hash: aima_store::hash_api_key(&expired),
            prefix: expired.chars().take(12).collect(),
            role: aima_core::Role::Admin,
            user_id: None,
            expires_at: Some(aima_store::now_ms() - 1000),
        })
        .await
        .expect("an expired key");
    let (s, v) = call(&app, &As::Key(expired), Method::GET, "/api/v1/media", None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (401, Some("invalid_api_key")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{v}"
    );

    // Workspaces: a user of two chooses per request, never one it is not in.
    let out = admin_with_input(
        &app,
        &[
            "create-user",
            "--workspace",
            "team-b",
            "--name",
            "alice",
            "--role",
            "viewer",
        ],
        "",
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let in_b = app
        .client
        .get(app.url("/api/v1/auth/session"))
        .header("cookie", &a_cookie)
        .header("x-aima-workspace", "team-b")
        .send()
        .await
        .expect("session");
    let in_b: Value = in_b.json().await.unwrap_or_default();
    assert_eq!(
        (&in_b["workspace"], &in_b["role"]),
        (&json!("team-b"), &json!("viewer")),
        "{in_b}"
    );
    assert_eq!(
        in_b["workspaces"].as_array().map(Vec::len),
        Some(2),
        "{in_b}"
    );
    let r = app
        .client
        .post(app.url("/api/v1/modes"))
        .header("cookie", &a_cookie)
        .header("x-aima-csrf", "1")
        .header("x-aima-workspace", "team-b")
        .json(&json!({"name": "b-mode"}))
        .send()
        .await
        .expect("write");
    assert_eq!(r.status().as_u16(), 403, "a viewer in team-b");
    for who in [editor.clone(), admin.clone()] {
        let mut r = app
            .client
            .get(app.url("/api/v1/media"))
            .header("x-aima-workspace", "team-c");
        r = match &who {
            As::Key(k) => r.bearer_auth(k),
            As::Cookie(c) => r.header("cookie", c),
        };
        let r = r.send().await.expect("read");
        assert_eq!(r.status().as_u16(), 403, "a workspace the caller is not in");
    }

    // The last admin stays; disabling a user ends its sessions.
    refused(
        &app,
        &admin,
        Method::PATCH,
        &format!("/api/v1/users/{boss}"),
        Some(json!({"role": "editor"})),
        409,
        "last_admin",
    )
    .await;
    let (s, v) = call(
        &app,
        &admin,
        Method::PATCH,
        &format!("/api/v1/users/{victor}"),
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!((s, &v["disabled"]), (200, &json!(true)), "{v}");
    refused(
        &app,
        &viewer,
        Method::GET,
        "/api/v1/media",
        None,
        401,
        "invalid_session",
    )
    .await;
    assert!(login(&app, "victor", "victor password").await.is_err());

    // Logging out ends the session on the server: a copied cookie is dead.
    let r = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &a_cookie)
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status().as_u16(), 204);
    let (s, _) = call(&app, &editor, Method::GET, "/api/v1/media", None).await;
    assert_eq!(s, 401, "the cookie after logout");
    // A new password ends the other sessions too.
    let (b_cookie, _) = login(&app, "boss", "boss password 1")
        .await
        .expect("boss signs in");
    let (s, _) = call(
        &app,
        &admin,
        Method::PATCH,
        &format!("/api/v1/users/{boss}"),
        Some(json!({"password": "boss password 2"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        call(
            &app,
            &As::Cookie(b_cookie),
            Method::GET,
            "/api/v1/media",
            None
        )
        .await
        .0,
        401
    );
    assert!(login(&app, "boss", "boss password 2").await.is_ok());
    backends_.sql.close().await;
}

#[tokio::test]
async fn the_first_admin_is_made_on_the_command_line() {
    let (app, _) = team_app(Backend::Sqlite, None).await;
    let out = admin_with_input(
        &app,
        &["create-user", "--name", "first", "--role", "admin"],
        "first password\n",
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (cookie, info) = login(&app, "first", "first password")
        .await
        .expect("signs in");
    assert_eq!(
        (&info["role"], &info["admin"]),
        (&json!("admin"), &json!(true)),
        "{info}"
    );
    assert_eq!(
        call(
            &app,
            &As::Cookie(cookie),
            Method::GET,
            "/api/v1/users",
            None
        )
        .await
        .0,
        200
    );
    let out = admin_with_input(
        &app,
        &["create-user", "--name", "weak", "--role", "viewer"],
        "short\n",
    )
    .await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("at least 8"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = admin_with_input(
        &app,
        &["create-key", "--name", "reader", "--role", "viewer"],
        "",
    )
    .await;
    assert!(out.status.success());
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let reader = As::Key(key);
    assert_eq!(
        call(&app, &reader, Method::GET, "/api/v1/media", None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(
            &app,
            &reader,
            Method::POST,
            "/api/v1/modes",
            Some(json!({"name": "x"}))
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account_and_address() {
    let (app, admin_key) = team_app(
        Backend::Sqlite,
        Some(|c| {
            c.auth.login_attempts_per_account = 3;
            c.auth.login_attempts_per_address = 6;
        }),
    )
    .await;
    let admin = As::Key(admin_key);
    create_user(
        &app,
        &admin,
        "mallory-target",
        "the right password",
        "viewer",
    )
    .await;
    for _ in 0..3 {
        let Err((s, _, _)) = login(&app, "mallory-target", "guess").await else {
            panic!("a guess signed in")
        };
        assert_eq!(s, 401);
    }
    // The account is out of attempts: even the right password waits.
    let Err((s, v, retry)) = login(&app, "mallory-target", "the right password").await else {
        panic!("no limit per account");
    };
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (429, Some("too_many_requests")),
        "{v}"
    );
    assert!(retry
        .and_then(|r| r.parse::<u64>().ok())
        .is_some_and(|r| (1..=60).contains(&r)));
    // Other names from the same address: until the address is out too.
    for name in ["bob", "carol"] {
        assert_eq!(
            login(&app, name, "guess").await.err().map(|e| e.0),
            Some(401)
        );
    }
    assert_eq!(
        login(&app, "dave", "guess").await.err().map(|e| e.0),
        Some(429)
    );
}

/// The least role of each operation, as this test expects it: reads for
/// viewers, writes for editors, but for these.
const ADMIN_OPS: &[&str] = &[
    "createUser",
    "listUsers",
    "getUser",
    "updateUser",
    "listAudit",
    "createWebhook",
    "listWebhooks",
    "getWebhook",
    "deleteWebhook",
    "listDeliveries",
    "redeliver",
    "listWorkers",
    "listModels",
    "pullModel",
    "getHealthDetails",
];
const VIEWER_POSTS: &[&str] = &[
    "ask",
    "search_faces",
    "predictMode",
    "createKey",
    "revokeKey",
];

#[tokio::test]
async fn every_route_answers_each_role_as_the_table_says() {
    for backend in backends() {
        route_table(backend).await;
    }
}

async fn route_table(backend: Backend) {
    let (app, admin_key) = team_app(backend, None).await;
    let admin = As::Key(admin_key.clone());
    let mut keys = vec![("admin", 2, admin.clone())];
    for (role, rank) in [("viewer", 0), ("editor", 1)] {
        let (s, v) = call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/keys",
            Some(json!({"name": role, "role": role})),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        keys.push((
            role,
            rank,
            As::Key(v["key"].as_str().unwrap_or_default().to_string()),
        ));
    }
    let (_, spec) = call(&app, &admin, Method::GET, "/api/v1/openapi.json", None).await;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if op["security"] == json!([{}]) {
                continue; // public: sign-in and sign-out
            }
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            let need = if ADMIN_OPS.contains(&id) {
                2
            } else if m == Method::GET || VIEWER_POSTS.contains(&id) {
                0
            } else {
                1
            };
            // The document says so too.
            if need > 0 {
                assert!(op["responses"]["403"].is_object(), "{id} documents no 403");
            }
            // Path parameters: ids that exist nowhere.
            let mut concrete = path.clone();
            for p in op["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .chain(
                    item["parameters"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .iter(),
                )
            {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap_or_default();
                    let value = if p["schema"]["type"] == "integer" {
                        "987654321".to_string()
                    } else {
                        "01930000-0000-7000-8000-000000000000".to_string()
                    };
                    concrete = concrete.replace(&format!("{{{name}}}"), &value);
                }
            }
            for (role, rank, who) in &keys {
                let body = op["requestBody"]["content"]["application/json"]
                    .is_object()
                    .then(|| json!({}));
                let (s, v) = call(&app, who, m.clone(), &concrete, body).await;
                if *rank < need {
                    assert_eq!(
                        (s, v["error"]["code"].as_str()),
                        (403, Some("forbidden")),
                        "{role} on {method} {path} ({id}): {v}"
                    );
                } else {
                    // Allowed: whatever the request's own fault or a model
                    // this server lacks, never a refusal or a failure.
                    let missing_model = s == 503 && v["error"]["code"] == "model_missing";
                    assert!(
                        s != 401 && s != 403 && (s < 500 || missing_model),
                        "{role} on {method} {path} ({id}): {s} {v}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "only {checked} requests");
    // Routes outside the document keep the same rule.
    let viewer = &keys[1].2;
    assert_eq!(
        call(
            &app,
            viewer,
            Method::POST,
            "/log_activity",
            Some(json!({"app": "x"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(&app, viewer, Method::GET, "/api/0/buckets", None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(
            &app,
            viewer,
            Method::POST,
            "/api/0/buckets/b1",
            Some(json!({"type": "t", "client": "c", "hostname": "h"}))
        )
        .await
        .0,
        403
    );
    cross_workspace(&app, &admin, &admin_key, &spec).await;
    // A key of another workspace: 404 on what belongs to this one.
    let other = As::Key(create_key(&app, "elsewhere"));
    let (s, _) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/modes",
        Some(json!({"name": "focus"})),
    )
    .await;
    assert_eq!(s, 201);
    let (s, v) = call(&app, &other, Method::DELETE, "/api/v1/modes/focus", None).await;
    assert_eq!(s, 404, "{v}");
    let (_, modes) = call(&app, &admin, Method::GET, "/api/v1/modes", None).await;
    assert!(modes.to_string().contains("\"focus\""), "{modes}");
}

#[tokio::test]
async fn the_audit_log_records_who_did_what() {
    for backend in backends() {
        audit_log(backend).await;
    }
}

async fn audit_log(backend: Backend) {
    let (app, admin_key) = team_app(backend, None).await;
    let admin = As::Key(admin_key);
    let alice = create_user(&app, &admin, "alice", "alice password", "editor").await;
    create_user(&app, &admin, "victor", "victor password", "viewer").await;
    assert!(login(&app, "alice", "not her password").await.is_err());
    let (a, _) = login(&app, "alice", "alice password")
        .await
        .expect("signs in");
    let (v, _) = login(&app, "victor", "victor password")
        .await
        .expect("signs in");
    assert_eq!(
        call(
            &app,
            &As::Cookie(a.clone()),
            Method::POST,
            "/api/v1/modes",
            Some(json!({"name": "focus"}))
        )
        .await
        .0,
        201
    );
    assert_eq!(
        call(
            &app,
            &As::Cookie(v.clone()),
            Method::DELETE,
            "/api/v1/modes/focus",
            None
        )
        .await
        .0,
        403
    );
    let (s, key) = call(
        &app,
        &As::Cookie(a.clone()),
        Method::POST,
        "/api/v1/keys",
        Some(json!({"name": "laptop"})),
    )
    .await;
    assert_eq!(s, 201);
    assert_eq!(
        call(
            &app,
            &admin,
            Method::PATCH,
            &format!("/api/v1/users/{alice}"),
            Some(json!({"role": "viewer"}))
        )
        .await
        .0,
        200
    );
    // Reads are not recorded; exports are.
    assert_eq!(
        call(&app, &admin, Method::GET, "/api/v1/media", None)
            .await
            .0,
        200
    );
    let export = app
        .client
        .get(app.url("/api/0/export"))
        .header("cookie", &a)
        .send()
        .await
        .expect("export");
    assert_eq!(export.status().as_u16(), 200);

    let (s, log) = call(&app, &admin, Method::GET, "/api/v1/audit?limit=100", None).await;
    assert_eq!(s, 200, "{log}");
    let items = log["items"].as_array().cloned().unwrap_or_default();
    let find = |action: &str, actor: &str, outcome: &str| {
        items.iter().any(|i| {
            i["action"] == action
                && i["actor"].as_str().unwrap_or_default().starts_with(actor)
                && i["outcome"] == outcome
        })
    };
    for (action, actor, outcome) in [
        ("createUser", "cli", "ok"),
        ("login", "alice", "denied"),
        ("login", "alice", "ok"),
        ("createMode", "alice", "ok"),
        ("deleteMode", "victor", "denied"),
        ("createKey", "alice", "ok"),
        ("updateUser", "cli", "ok"),
        ("GET /api/0/export", "alice", "ok"),
    ] {
        assert!(
            find(action, actor, outcome),
            "no {action} by {actor} ({outcome}) in {log}"
        );
    }
    assert!(
        !items.iter().any(|i| i["action"] == "listMedia"),
        "a read was recorded"
    );
    let created = items
        .iter()
        .find(|i| i["action"] == "createKey")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        created["resource"],
        json!(format!("key/{}", key["id"].as_str().unwrap_or_default()))
    );
    assert_eq!(created["address"], "127.0.0.1");
    assert!(created["at"]
        .as_i64()
        .is_some_and(|t| (t - aima_store::now_ms()).abs() < 600_000));
    // Newest first, with paging and filters.
    let ids: Vec<i64> = items.iter().filter_map(|i| i["id"].as_i64()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let (_, p1) = call(&app, &admin, Method::GET, "/api/v1/audit?limit=2", None).await;
    let cursor = p1["next_cursor"].as_str().unwrap_or_default().to_string();
    let (_, p2) = call(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/audit?limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(p2["items"][0]["id"].as_i64(), ids.get(2).copied(), "{p2}");
    let (_, denied) = call(
        &app,
        &admin,
        Method::GET,
        "/api/v1/audit?outcome=denied&actor=victor",
        None,
    )
    .await;
    assert_eq!(
        denied["items"].as_array().map(Vec::len),
        Some(1),
        "{denied}"
    );
    // CSV, with no secret in it.
    let csv = app
        .client
        .get(app.url("/api/v1/audit?format=csv"))
        .bearer_auth(match &admin {
            As::Key(k) => k,
            As::Cookie(_) => unreachable!(),
        })
        .send()
        .await
        .expect("csv");
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap_or_default();
    assert!(csv.starts_with("id,at,actor,"), "{csv}");
    assert!(csv.lines().count() > 8);
    for secret in [
        "alice password",
        "not her password",
        key["key"].as_str().unwrap_or("-"),
    ] {
        assert!(!csv.contains(secret), "the audit log holds a secret");
    }
    // Only admins read it; another workspace's admin sees none of this.
    assert_eq!(
        call(&app, &As::Cookie(v), Method::GET, "/api/v1/audit", None)
            .await
            .0,
        403
    );
    let other = As::Key(create_key(&app, "elsewhere"));
    let (_, theirs) = call(&app, &other, Method::GET, "/api/v1/audit", None).await;
    assert_eq!(theirs["items"], json!([]), "{theirs}");
}

/// A webhook receiver on loopback: records each delivery, and answers as
/// the test tells it.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>,
    /// Answers 500 while this is above 0 (counting down).
    fail: Arc<Mutex<u32>>,
}

async fn receiver() -> (Receiver, String) {
    use axum::routing::post;
    let r = Receiver::default();
    let state = r.clone();
    let other = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let inner = format!("http://{}/inside", other.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route(
            "/hook",
            post(
                |axum::extract::State(s): axum::extract::State<Receiver>,
                 headers: axum::http::HeaderMap,
                 body: String| async move {
                    let fail = {
                        let mut f = s.fail.lock().unwrap_or_else(|e| e.into_inner());
                        let fail = *f > 0;
                        *f = f.saturating_sub(1);
                        fail
                    };
                    s.got
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((headers, body));
                    if fail {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        )
        .route(
            "/redirect",
            post(move || {
                let inner = inner.clone();
                async move {
                    (
                        axum::http::StatusCode::TEMPORARY_REDIRECT,
                        [("location", inner)],
                    )
                }
            }),
        )
        .route(
            "/slow",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        )
        .with_state(state.clone());
    let inside = state.clone();
    let inside_app = axum::Router::new().route(
        "/inside",
        post(move |body: String| {
            let s = inside.clone();
            async move {
                s.got
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((axum::http::HeaderMap::new(), format!("INSIDE {body}")));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    tokio::spawn(async move { axum::serve(other, inside_app).await });
    (r, base)
}

/// What a receiver does with a delivery: the signature is the HMAC-SHA256
/// of "<timestamp>.<body>", and the timestamp is recent.
fn verify(secret: &str, headers: &axum::http::HeaderMap, body: &str) -> bool {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let Ok(ts) = h("x-aima-timestamp").parse::<i64>() else {
        return false;
    };
    if (aima_store::now_ms() / 1000 - ts).abs() > 300 {
        return false;
    }
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{ts}.{body}").as_bytes());
    let Some(hex_sig) = h("x-aima-signature")
        .strip_prefix("sha256=")
        .map(String::from)
    else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    mac.verify_slice(&sig).is_ok()
}

async fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < until, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_survive_a_restart() {
    for backend in backends() {
        webhooks(backend).await;
    }
}

async fn webhooks(backend: Backend) {
    let (mut app, admin_key) = team_app(
        backend,
        Some(|c| {
            c.webhooks.allow_private = true;
            c.webhooks.retry_seconds = 0.2;
            c.webhooks.max_attempts = 6;
            c.webhooks.timeout_seconds = 1.0;
        }),
    )
    .await;
    let admin = As::Key(admin_key.clone());
    let (rx, base) = receiver().await;
    let secret = "a secret of the receiver";
    let (s, hook) = call(&app, &admin, Method::POST, "/api/v1/webhooks", Some(json!({"url": format!("{base}/hook"), "events": ["job.succeeded", "media.deleted", "mode_model.trained"], "secret": secret}))).await;
    assert_eq!(s, 201, "{hook}");
    let hook_id = hook["id"].as_str().unwrap_or_default().to_string();
    assert!(
        !hook.to_string().contains(secret),
        "the secret is not shown again"
    );
    for bad in [
        json!({"url": "ftp://x/", "events": ["job.failed"], "secret": secret}),
        json!({"url": format!("{base}/hook"), "events": ["job.exploded"], "secret": secret}),
        json!({"url": format!("{base}/hook"), "events": ["job.failed"], "secret": "short"}),
    ] {
        assert_eq!(
            call(
                &app,
                &admin,
                Method::POST,
                "/api/v1/webhooks",
                Some(bad.clone())
            )
            .await
            .0,
            400,
            "{bad}"
        );
    }

    // A job ends: one signed delivery, after two failed attempts.
    *rx.fail.lock().unwrap_or_else(|e| e.into_inner()) = 2;
    let clip = wav_audio(app.data.path(), "t.wav", 1);
    let (up, job) = {
        let bytes = std::fs::read(&clip).unwrap_or_default();
        let r = app
            .client
            .post(app.url("/api/v1/media?pipeline=probe"))
            .bearer_auth(&admin_key)
            .body(bytes)
            .send()
            .await
            .expect("upload");
        let up: Value = r.json().await.unwrap_or_default();
        let job = up["job_id"].as_str().unwrap_or_default().to_string();
        (up, job)
    };
    let got = rx.got.clone();
    let (headers, body) = wait_for("a delivered job.succeeded", || {
        got.lock()
            .ok()
            .and_then(|g| (g.len() >= 3).then(|| g[2].clone()))
    })
    .await;
    assert!(verify(secret, &headers, &body), "the signature holds");
    assert!(!verify("another secret", &headers, &body));
    // A replay with a new timestamp fails: the timestamp is signed.
    let mut replayed = headers.clone();
    replayed.insert(
        "x-aima-timestamp",
        (aima_store::now_ms() / 1000 + 1)
            .to_string()
            .parse()
            .unwrap_or_else(|_| unreachable!()),
    );
    assert!(!verify(secret, &replayed, &body));
    assert_eq!(headers["x-aima-event"], "job.succeeded");
    let v: Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(
        (
            &v["event"],
            &v["job"]["id"],
            &v["job"]["media_id"],
            &v["resource"]["type"]
        ),
        (
            &json!("job.succeeded"),
            &json!(job),
            &up["id"],
            &json!("job")
        ),
        "{v}"
    );
    assert_eq!(
        headers["x-aima-delivery"].to_str().unwrap_or_default(),
        v["id"].as_str().unwrap_or("-")
    );
    let (_, list) = call(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/webhooks/{hook_id}/deliveries"),
        None,
    )
    .await;
    let first = list["items"][0].clone();
    assert_eq!(
        (&first["state"], &first["attempts"], &first["last_status"]),
        (&json!("succeeded"), &json!(3), &json!(204)),
        "{list}"
    );

    // Redelivered by hand: the same body, a new delivery id.
    let (s, again) = call(
        &app,
        &admin,
        Method::POST,
        &format!(
            "/api/v1/webhooks/{hook_id}/deliveries/{}/redeliver",
            first["id"].as_str().unwrap_or_default()
        ),
        None,
    )
    .await;
    assert_eq!(s, 202, "{again}");
    let (h2, b2) = wait_for("a redelivery", || {
        got.lock()
            .ok()
            .and_then(|g| (g.len() >= 4).then(|| g[3].clone()))
    })
    .await;
    assert_eq!(b2, body);
    assert_ne!(h2["x-aima-delivery"], headers["x-aima-delivery"]);

    // The receiver is down while media is deleted and the server stops:
    // nothing is lost, the delivery goes out after the restart.
    *rx.fail.lock().unwrap_or_else(|e| e.into_inner()) = 1_000;
    let (s, _) = call(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/media/{}", up["id"].as_str().unwrap_or_default()),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let before = wait_for("a failed attempt", || {
        got.lock()
            .ok()
            .and_then(|g| (g.len() >= 5).then_some(g.len()))
    })
    .await;
    app.stop().await;
    *rx.fail.lock().unwrap_or_else(|e| e.into_inner()) = 0;
    app.restart().await;
    let (_, deleted) = wait_for("media.deleted after the restart", || {
        got.lock().ok().and_then(|g| {
            g.iter()
                .skip(before)
                .find(|(h, _)| h.get("x-aima-event").is_some_and(|e| e == "media.deleted"))
                .cloned()
        })
    })
    .await;
    let d: Value = serde_json::from_str(&deleted).unwrap_or_default();
    assert_eq!(d["media"]["id"], up["id"]);

    // A redirect is not followed (its target never hears of it), and a slow
    // receiver times out while the server answers others.
    let (s, redirect) = call(&app, &admin, Method::POST, "/api/v1/webhooks", Some(json!({"url": format!("{base}/redirect"), "events": ["mode_model.trained", "media.deleted"], "secret": secret}))).await;
    assert_eq!(s, 201);
    let (s, slow) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/webhooks",
        Some(json!({"url": format!("{base}/slow"), "events": ["media.deleted"], "secret": secret})),
    )
    .await;
    assert_eq!(s, 201);
    let tone2 = wav_audio(app.data.path(), "t2.wav", 2);
    let r = app
        .client
        .post(app.url("/api/v1/media?pipeline=none"))
        .bearer_auth(&admin_key)
        .body(std::fs::read(&tone2).unwrap_or_default())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    let up2: Value = r.json().await.unwrap_or_default();
    let started = Instant::now();
    assert_eq!(
        call(
            &app,
            &admin,
            Method::DELETE,
            &format!("/api/v1/media/{}", up2["id"].as_str().unwrap_or_default()),
            None
        )
        .await
        .0,
        204
    );
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(app.get_json("/healthz").await.0, 200);
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "the server stalls behind a slow receiver"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (hook, what) in [
        (&redirect, "redirects are not followed"),
        (&slow, "did not answer in time"),
    ] {
        let id = hook["id"].as_str().unwrap_or_default();
        let mut last = Value::Null;
        while started.elapsed() < Duration::from_secs(30) {
            last = call(
                &app,
                &admin,
                Method::GET,
                &format!("/api/v1/webhooks/{id}/deliveries"),
                None,
            )
            .await
            .1;
            if last["items"][0]["last_error"]
                .as_str()
                .is_some_and(|e| e.contains(what))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            last["items"][0]["last_error"]
                .as_str()
                .is_some_and(|e| e.contains(what)),
            "{last}"
        );
    }
    assert!(
        !got.lock()
            .map(|g| g.iter().any(|(_, b)| b.starts_with("INSIDE")))
            .unwrap_or(true),
        "a redirect was followed"
    );
    // Other workspaces see no webhook of this one.
    let other = As::Key(create_key(&app, "elsewhere"));
    assert_eq!(
        call(
            &app,
            &other,
            Method::GET,
            &format!("/api/v1/webhooks/{hook_id}"),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(
            &app,
            &admin,
            Method::DELETE,
            &format!("/api/v1/webhooks/{hook_id}"),
            None
        )
        .await
        .0,
        204
    );
}

#[tokio::test]
async fn webhooks_to_private_addresses_are_refused_by_default() {
    let (app, key) = team_app(Backend::Sqlite, None).await;
    let admin = As::Key(key);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://10.0.0.7/x",
        "http://192.168.1.1/x",
    ] {
        let (s, v) = call(
            &app,
            &admin,
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": url, "events": ["job.failed"], "secret": "0123456789abcdef"})),
        )
        .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (400, Some("invalid_webhook_url")),
            "{url}: {v}"
        );
    }
}

#[tokio::test]
async fn serve_refuses_anonymous_access_off_loopback() {
    let data = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_aima"))
            .args([
                "serve",
                "--listen",
                "0.0.0.0:0",
                "--workers",
                "0",
                "--data-dir",
            ])
            .arg(data.path())
            .args(extra)
            .env("AIMA_CONFIG", "/nonexistent")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("aima serve")
    };
    let refused = run(&[]).wait_with_output().expect("aima serve ends");
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("refusing to listen") && err.contains("allow_anonymous"),
        "{err}"
    );
    // Forced, it listens (and keeps running until stopped).
    let mut forced = run(&["--force-anonymous"]);
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        forced.try_wait().ok().flatten().is_none(),
        "the forced server stopped"
    );
    let _ = forced.kill();
    let _ = forced.wait();
    // With anonymous access off, any address is fine.
    let mut keyed = std::process::Command::new(env!("CARGO_BIN_EXE_aima"))
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--workers",
            "0",
            "--data-dir",
        ])
        .arg(data.path())
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__SERVER__ALLOW_ANONYMOUS", "false")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("aima serve");
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        keyed.try_wait().ok().flatten().is_none(),
        "the keyed server stopped"
    );
    let _ = keyed.kill();
    let _ = keyed.wait();
}

/// An admin of another workspace calls every operation that names a
/// resource with the ids of this workspace's resources: nothing answers
/// 2xx, and everything is still there after.
async fn cross_workspace(app: &TestApp, admin: &As, admin_key: &str, spec: &Value) {
    // This workspace's resources: a media with its job and insight, a
    // mode, a user, a key and a webhook.
    let clip = wav_audio(app.data.path(), "mine.wav", 1);
    let r = app
        .client
        .post(app.url("/api/v1/media?pipeline=probe"))
        .bearer_auth(admin_key)
        .body(std::fs::read(&clip).unwrap_or_default())
        .send()
        .await
        .expect("upload");
    let up: Value = r.json().await.unwrap_or_default();
    let (media, job) = (
        up["id"].as_str().unwrap_or_default().to_string(),
        up["job_id"].as_str().unwrap_or_default().to_string(),
    );
    let until = Instant::now() + Duration::from_secs(60);
    let insight = loop {
        let (_, v) = call(
            app,
            admin,
            Method::GET,
            &format!("/api/v1/media/{media}/insights"),
            None,
        )
        .await;
        if let Some(id) = v["items"][0]["id"].as_i64() {
            break id;
        }
        assert!(Instant::now() < until, "no insight: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    call(
        app,
        admin,
        Method::POST,
        "/api/v1/modes",
        Some(json!({"name": "mine"})),
    )
    .await;
    let user = create_user(app, admin, "mine", "my password", "viewer").await;
    let (_, key) = call(
        app,
        admin,
        Method::POST,
        "/api/v1/keys",
        Some(json!({"name": "mine"})),
    )
    .await;
    let key_id = key["id"].as_str().unwrap_or_default().to_string();
    let (_, hook) = call(
        app,
        admin,
        Method::POST,
        "/api/v1/webhooks",
        Some(json!({"url": "http://93.184.216.34/hook", "events": ["job.failed"], "secret": "0123456789abcdef"})),
    )
    .await;
    let hook_id = hook["id"].as_str().unwrap_or_default().to_string();
    let ids: Vec<(&str, String)> = vec![
        ("/api/v1/media/{id}", media.clone()),
        ("/api/v1/jobs/{id}", job.clone()),
        ("/api/v1/insights/{id}", insight.to_string()),
        ("/api/v1/users/{id}", user.clone()),
        ("/api/v1/keys/{id}", key_id.clone()),
        ("/api/v1/webhooks/{id}", hook_id.clone()),
        ("/api/v1/modes/{name}", "mine".into()),
    ];
    let other = As::Key(create_key(app, "intruders"));
    let mut tried = 0;
    for (path, item) in spec["paths"].as_object().cloned().unwrap_or_default() {
        let Some((_, id)) = ids.iter().find(|(prefix, _)| path.starts_with(prefix)) else {
            continue;
        };
        let prefix = ids
            .iter()
            .find(|(p, _)| path.starts_with(p))
            .map(|(p, _)| *p)
            .unwrap_or_default();
        let placeholder = prefix.rsplit('/').next().unwrap_or_default();
        let mut concrete = path.replacen(placeholder, id, 1);
        // Other parameters after the first: ids of nothing.
        while let Some(start) = concrete.find('{') {
            let end = concrete[start..]
                .find('}')
                .map(|e| start + e + 1)
                .unwrap_or(concrete.len());
            concrete.replace_range(start..end, "01930000-0000-7000-8000-000000000000");
        }
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            // Plausible bodies, so that a write reaches the resource.
            let body = match (m.as_str(), prefix) {
                ("PATCH", "/api/v1/users/{id}") => Some(json!({"role": "admin"})),
                ("PATCH", "/api/v1/insights/{id}") => Some(json!({"review": "rejected"})),
                _ if op["requestBody"]["content"]["application/json"].is_object() => {
                    Some(json!({}))
                }
                _ => None,
            };
            let (s, v) = call(app, &other, m.clone(), &concrete, body).await;
            assert!(
                !(200..300).contains(&s),
                "another workspace's admin on {method} {concrete}: {s} {v}"
            );
            tried += 1;
        }
    }
    assert!(tried >= 15, "only {tried} operations");
    // All still there, unchanged.
    for path in [
        format!("/api/v1/media/{media}"),
        format!("/api/v1/jobs/{job}"),
        format!("/api/v1/users/{user}"),
        format!("/api/v1/webhooks/{hook_id}"),
    ] {
        assert_eq!(
            call(app, admin, Method::GET, &path, None).await.0,
            200,
            "{path}"
        );
    }
    let (_, u) = call(
        app,
        admin,
        Method::GET,
        &format!("/api/v1/users/{user}"),
        None,
    )
    .await;
    assert_eq!(u["role"], "viewer");
    let (_, keys) = call(app, admin, Method::GET, "/api/v1/keys", None).await;
    assert!(
        keys["items"].as_array().is_some_and(|k| k
            .iter()
            .any(|k| k["id"] == json!(key_id) && k["revoked_at"].is_null())),
        "{keys}"
    );
    let (_, modes) = call(app, admin, Method::GET, "/api/v1/modes", None).await;
    assert!(modes.to_string().contains("\"mine\""), "{modes}");
    let (_, ins) = call(
        app,
        admin,
        Method::GET,
        &format!("/api/v1/media/{media}/insights"),
        None,
    )
    .await;
    assert!(ins["items"][0]["review"].is_null(), "{ins}");
}

#[tokio::test]
async fn metrics_can_ask_for_a_token() {
    let (app, key) = team_app(
        Backend::Sqlite,
        Some(|c| c.server.metrics_token = "scrape-secret".into()),
    )
    .await;
    let get = |auth: Option<&str>| {
        let mut r = app.client.get(app.url("/metrics"));
        if let Some(a) = auth {
            r = r.bearer_auth(a);
        }
        r.send()
    };
    for wrong in [None, Some("scrape-secre"), Some(key.as_str())] {
        let r = get(wrong).await.expect("metrics");
        assert_eq!(r.status().as_u16(), 401, "{wrong:?}");
    }
    let r = get(Some("scrape-secret")).await.expect("metrics");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap_or_default().contains("aima_jobs"));
}

/// A key belongs to the user who made it or is an admin's: a non-admin key
/// of no user cannot make keys (it could never list or revoke them; found
/// by schemathesis's stateful run: created, then 404 on its DELETE).
#[tokio::test]
async fn a_key_of_no_user_makes_no_keys_unless_it_is_an_admins() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let admin = create_key(&app, "default");
    let make = |key: &str, body: serde_json::Value| {
        app.client
            .post(app.url("/api/v1/keys"))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    let r = make(&admin, json!({"name": "reader", "role": "viewer"}))
        .await
        .expect("create");
    assert_eq!(r.status().as_u16(), 201);
    let viewer: Value = r.json().await.unwrap_or_default();
    let viewer = viewer["key"].as_str().unwrap_or_default().to_string();
    for role in [json!(null), json!("viewer")] {
        let r = make(&viewer, json!({"name": "another", "role": role}))
            .await
            .expect("create");
        assert_eq!(r.status().as_u16(), 403);
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "forbidden", "{body}");
    }
    // An admin's key still makes keys, and revokes them.
    let r = make(&admin, json!({"name": "second"}))
        .await
        .expect("create");
    assert_eq!(r.status().as_u16(), 201);
    let made: Value = r.json().await.unwrap_or_default();
    let r = app
        .client
        .delete(app.url(&format!(
            "/api/v1/keys/{}",
            made["id"].as_str().unwrap_or_default()
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status().as_u16(), 200);
}
