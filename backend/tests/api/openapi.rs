//! The OpenAPI document is exact (SPEC.md §4): resellers generate clients from it, and
//! schemathesis (`cargo xtask test`, docs/api.md "Contract testing") fuzzes the server against it.
//! These tests walk the document the server serves, so a handler added without its error
//! responses, its required fields or its security fails here rather than in a reseller's client.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect_problem, field_code, spawn_app};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document() -> Value {
    let app = spawn_app().await;
    app.client()
        .get("/openapi.json")
        .await
        .json()
        .await
        .unwrap()
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("local reference");
            resolve(doc, doc.pointer(pointer).expect(reference))
        }
        None => value,
    }
}

/// Every operation: (`METHOD /path`, operation object).
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
    }
    assert!(out.len() > 40, "only {} operations", out.len());
    out
}

fn statuses(op: &Value) -> Vec<String> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// An operation is authenticated when one of its security requirements names a scheme and none
/// is the empty (anonymous) one.
fn is_authenticated(op: &Value) -> bool {
    op.get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| {
            !reqs.is_empty()
                && reqs
                    .iter()
                    .all(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        })
}

#[tokio::test]
async fn every_error_is_a_problem_document() {
    let doc = document().await;
    let problem = &doc["components"]["schemas"]["Problem"];
    assert_eq!(
        problem["properties"]["errors"]["type"], "array",
        "{problem}"
    );
    let mut missing = Vec::new();
    for (name, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !status.starts_with('4') {
                continue;
            }
            let response = resolve(&doc, response);
            let schema = &response["content"]["application/problem+json"]["schema"];
            if schema["$ref"] != "#/components/schemas/Problem" {
                missing.push(format!("{name} {status}: {response}"));
            }
            if response["content"].get("application/json").is_some() {
                missing.push(format!("{name} {status}: also application/json"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[tokio::test]
async fn every_operation_lists_the_errors_of_its_extractors() {
    let doc = document().await;
    let mut missing = Vec::new();
    for (name, op) in operations(&doc) {
        let have = statuses(op);
        let mut need: Vec<&str> = Vec::new();
        if let Some(body) = op.get("requestBody") {
            need.push("400");
            need.push("413");
            if body["content"].get("application/json").is_some() {
                // A missing or wrong Content-Type, and a body that is not JSON.
                need.push("415");
            }
        }
        if is_authenticated(op) {
            need.extend(["401", "403"]);
        }
        let has_path_param = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path"));
        if has_path_param {
            need.push("404");
        }
        let has_query = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        if has_query {
            need.push("400");
        }
        let is_write = !name.starts_with("GET ");
        let takes_session = op["security"]
            .as_array()
            .is_some_and(|reqs| reqs.iter().any(|r| r.get("session").is_some()));
        if is_write && takes_session {
            let csrf = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["in"] == "header" && p["name"] == "X-CSRF-Token")
            });
            if !csrf {
                missing.push(format!("{name}: no X-CSRF-Token header parameter"));
            }
        }
        for status in need {
            if !have.iter().any(|s| s == status) {
                missing.push(format!("{name}: {status} not declared"));
            }
        }
        if !have.iter().any(|s| s.starts_with('2')) {
            missing.push(format!("{name}: no success response"));
        }
        if op.get("security").is_none() {
            missing.push(format!(
                "{name}: says nothing about authentication (security(()) for public operations)"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Issue 13: what code generators need to name and type things. Every operation has an
/// `operationId`, unique across the document (OpenAPI requires it; a generated client names its
/// functions by it); a list's enum filters refer to or spell the same values as the schemas;
/// no required property carries a `default`, and no `default` of an enum is outside the enum
/// (openapi-python-client drops a model with such a default, and with it every operation that
/// sends it).
#[tokio::test]
async fn generators_can_name_and_type_everything() {
    let doc = document().await;
    let mut seen = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    for (name, op) in operations(&doc) {
        match op["operationId"].as_str() {
            None => problems.push(format!("{name}: no operationId")),
            Some(id) => {
                if let Some(first) = seen.insert(id.to_owned(), name.clone()) {
                    problems.push(format!("{name}: operationId {id} is also {first}'s"));
                }
            }
        }
    }
    fn defaults(doc: &Value, at: &str, schema: &Value, problems: &mut Vec<String>) {
        let schema = resolve(doc, schema);
        if let (Some(default), Some(values)) = (schema.get("default"), schema["enum"].as_array()) {
            if !values.contains(default) {
                problems.push(format!("{at}: default {default} is not one of {values:?}"));
            }
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = schema["properties"].as_object() {
            for (prop, value) in props {
                if required.contains(&prop.as_str()) && value.get("default").is_some() {
                    problems.push(format!("{at}.{prop}: required, with a default"));
                }
                defaults(doc, &format!("{at}.{prop}"), value, problems);
            }
        }
        for key in ["oneOf", "allOf", "anyOf"] {
            for (i, part) in schema[key].as_array().into_iter().flatten().enumerate() {
                let part_default = part.get("default");
                if let (Some(d), Some(values)) = (
                    part_default
                        .or(schema.get("default"))
                        .filter(|d| !d.is_null()),
                    resolve(doc, part)["enum"].as_array(),
                ) {
                    if !values.contains(d) {
                        problems.push(format!(
                            "{at}.{key}[{i}]: default {d} is not one of {values:?}"
                        ));
                    }
                }
            }
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        defaults(&doc, name, schema, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Issue 13: the creating POSTs take `Idempotency-Key`, and every operation that takes it
/// declares the 409 (in flight) and 422 (reused with another body) problems and the
/// `Idempotent-Replayed` header on its success responses.
#[tokio::test]
async fn idempotent_operations_declare_the_key_and_its_answers() {
    let doc = document().await;
    let mut with_key = Vec::new();
    let mut missing = Vec::new();
    for (name, op) in operations(&doc) {
        let key = op["parameters"].as_array().and_then(|ps| {
            ps.iter()
                .find(|p| p["in"] == "header" && p["name"] == "Idempotency-Key")
        });
        let Some(key) = key else { continue };
        with_key.push(name.clone());
        if key["required"] == true {
            missing.push(format!("{name}: Idempotency-Key must be optional"));
        }
        if key["schema"]["maxLength"] != 255 || key["schema"]["minLength"] != 1 {
            missing.push(format!(
                "{name}: Idempotency-Key is not 1 to 255 characters"
            ));
        }
        for status in ["409", "422"] {
            let Some(response) = op["responses"].get(status) else {
                missing.push(format!("{name}: {status} not declared"));
                continue;
            };
            let response = resolve(&doc, response);
            if response["content"]
                .get("application/problem+json")
                .is_none()
            {
                missing.push(format!("{name}: {status} is not a problem document"));
            }
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('2')
                && resolve(&doc, response)["headers"]
                    .get("Idempotent-Replayed")
                    .is_none()
            {
                missing.push(format!("{name}: {status} lacks Idempotent-Replayed"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    with_key.sort();
    assert_eq!(
        with_key,
        [
            "POST /acme-application",
            "POST /inquiries",
            "POST /invoices/{number}/pay",
            "POST /registrations",
            "POST /tokens",
            "POST /webhooks",
        ]
    );
}

/// Request bodies read absent fields as empty so that every missing field is reported at once,
/// but the document still says which fields a request must carry.
#[tokio::test]
async fn request_schemas_mark_their_required_fields() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    for (schema, fields) in [
        (
            "SignupRequest",
            &["name", "email", "password", "billing_email"][..],
        ),
        ("LoginRequest", &["email", "password"]),
        ("TokenRequest", &["token"]),
        ("PasswordResetRequest", &["email"]),
        ("PasswordResetConfirm", &["token", "password"]),
        ("CreateTokenRequest", &["name", "scopes"]),
        ("CreateWebhookRequest", &["url", "events"]),
        ("AcmeApplicationRequest", &["agree_terms"]),
        ("FqdnCheckRequest", &["fqdn", "type"]),
        (
            "RegistrationRequest",
            &[
                "fqdn",
                "type",
                "period_years",
                "payment_method",
                "agree_terms",
            ],
        ),
        (
            "CardPayment",
            &["card_number", "exp_month", "exp_year", "cvc"],
        ),
        ("ConfirmPayment", &["amount", "method"]),
        ("RevokeRequest", &["reason"]),
        ("InquiryRequest", &["subject", "message"]),
        ("InquiryReply", &["message"]),
        ("CampaignRequest", &["selection", "reason"]),
    ] {
        let required: Vec<&str> = schemas[schema]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} has no required list: {}", schemas[schema]))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for field in fields {
            assert!(
                required.contains(field),
                "{schema}.{field} is not required: {required:?}"
            );
        }
    }
    // Optional fields stay optional.
    let required = schemas["SignupRequest"]["required"].as_array().unwrap();
    assert!(!required.contains(&json!("locale")));
    assert!(schemas["UpdateMeRequest"].get("required").is_none());
    // Formats and patterns resellers validate against.
    assert_eq!(
        schemas["Invoice"]["properties"]["number"]["pattern"],
        r"^BILL\d+$"
    );
    assert_eq!(schemas["Me"]["properties"]["id"]["pattern"], r"^C\d{8,}$");
    assert_eq!(
        schemas["Inquiry"]["properties"]["number"]["pattern"],
        r"^Q\d+$"
    );
    assert_eq!(
        schemas["Me"]["properties"]["created_at"]["format"],
        "date-time"
    );
    assert_eq!(
        schemas["OfficeHours"]["properties"]["today"]["format"],
        "date"
    );
}

/// The server keeps reporting every missing field at once (R-ALL-1), required or not in the
/// document.
#[tokio::test]
async fn missing_required_fields_are_all_named() {
    let app = spawn_app().await;
    let res = app.client().post("/auth/signup", &json!({})).await;
    let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    for field in ["name", "email", "password", "billing_email"] {
        assert_eq!(
            field_code(&problem, field).as_deref(),
            Some("required"),
            "{problem}"
        );
    }
}

/// Logout is idempotent (docs/decisions.md): no session, or an ended one, is the same 204; a
/// live session still needs its CSRF header.
#[tokio::test]
async fn logout_without_a_session_is_a_no_op() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let res = anonymous.post("/auth/logout", &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let (client, _) = app.customer("logout@example.jp").await;
    let csrf = client.cookie("csrf_token").unwrap();
    let session = client.cookie("certdirect_session").unwrap();
    // The live session without the header: refused, and still live.
    let raw = reqwest::Client::new();
    let res = raw
        .post(format!("{}/api/v1/auth/logout", app.base))
        .header(
            "cookie",
            format!("certdirect_session={session}; csrf_token={csrf}"),
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::FORBIDDEN, "csrf").await;
    assert_eq!(client.get("/me").await.status(), StatusCode::OK);
    // With it: ended; a second logout with the dead cookie is the same 204.
    let res = client.post("/auth/logout", &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = raw
        .post(format!("{}/api/v1/auth/logout", app.base))
        .header(
            "cookie",
            format!("certdirect_session={session}; csrf_token={csrf}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

/// A query parameter of the wrong type was answered by axum's plain-text 400, which the
/// document cannot describe; it is a problem document naming the parameter.
#[tokio::test]
async fn a_bad_query_parameter_is_a_problem_naming_it() {
    let app = spawn_app().await;
    let op = crate::acme::operator(&app).await;
    let res = op.get("/operator/customers?page=abc").await;
    let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(
        field_code(&problem, "page").as_deref(),
        Some("invalid_parameter"),
        "{problem}"
    );
}

/// serde reads a struct from a JSON array (fields by position), so `PATCH /me` with
/// `[null, null]` was a 200; every request body is an object.
#[tokio::test]
async fn a_body_that_is_not_an_object_is_refused() {
    let app = spawn_app().await;
    let (client, _) = app.customer("array@example.jp").await;
    for body in [
        json!([null, null]),
        json!(["Name", "b@example.jp"]),
        json!(42),
    ] {
        let res = client.patch("/me", &body).await;
        let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
        assert_eq!(
            field_code(&problem, "body").as_deref(),
            Some("invalid_type"),
            "{problem}"
        );
    }
    let me: Value = client.get("/me").await.json().await.unwrap();
    assert_ne!(me["name"], "Name");
}

/// `2071.0` is an integer in JSON Schema (the document's language); the server read it as a
/// type error.
#[tokio::test]
async fn an_integral_float_is_an_integer() {
    let app = spawn_app().await;
    let (client, _) = app.customer("float@example.jp").await;
    let res = client
        .post("/invoices/BILL0000000001/pay", &json!({
            "card_number": "4242424242424242", "exp_month": 12.0, "exp_year": 2071.0, "cvc": "123"
        }))
        .await;
    // Read as integers, the card is fine and the invoice simply does not exist.
    expect_problem(res, StatusCode::NOT_FOUND, "not-found").await;
    let res = client
        .post(
            "/invoices/BILL0000000001/pay",
            &json!({
                "card_number": "4242424242424242", "exp_month": 12.5, "exp_year": 2071, "cvc": "123"
            }),
        )
        .await;
    let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(
        field_code(&problem, "exp_month").as_deref(),
        Some("invalid_type")
    );
}

/// `POST /fqdn/check` answered a request without `type` (or without `fqdn`) with a 200 preview;
/// the request itself is malformed (400 naming the fields). A bad name is still a 200 preview.
#[tokio::test]
async fn fqdn_check_needs_a_name_and_a_type() {
    let app = spawn_app().await;
    let (client, _) = app.customer("check@example.jp").await;
    let res = client
        .post("/fqdn/check", &json!({ "fqdn": "example.jp" }))
        .await;
    let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(field_code(&problem, "type").as_deref(), Some("required"));
    let res = client.post("/fqdn/check", &json!({ "type": "dvx" })).await;
    let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(field_code(&problem, "fqdn").as_deref(), Some("required"));
    assert_eq!(
        field_code(&problem, "type").as_deref(),
        Some("unknown_type")
    );
    let res = client
        .post("/fqdn/check", &json!({ "fqdn": "-bad-.jp", "type": "dv" }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["valid"], false, "{preview}");
}
