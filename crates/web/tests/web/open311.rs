//! Open311 GeoReport v2: every endpoint in XML and JSON, the filters, the 90-day window,
//! paging, the status-history extension, and every error as the specification says.

use super::hotline::{places, Places, REPORTER};
use super::*;
use serde_json::Value;
use vanphong_store::on_both_backends;

const FORMATS: [&str; 2] = ["json", "xml"];

/// A request's fields, the status it must get, and words of the description.
type Refusal<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);

async fn get(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

async fn post(app: &TestApp, format: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/open311/v2/requests.{format}")))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// Checks an error answer: the status, and a list of code and description in the format.
fn assert_error(format: &str, status: StatusCode, expected: StatusCode, body: &str, words: &str) {
    assert_eq!(status, expected, "{body}");
    if format == "json" {
        let list: Value = serde_json::from_str(body).unwrap();
        assert_eq!(list[0]["code"], expected.as_u16(), "{body}");
        assert!(
            list[0]["description"].as_str().unwrap().contains(words),
            "{body}"
        );
    } else {
        assert!(
            body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>"),
            "{body}"
        );
        assert!(
            body.contains(&format!("<code>{}</code>", expected.as_u16())),
            "{body}"
        );
        assert!(body.contains(words), "{body}");
    }
}

fn good_request<'a>(key: &'a str, lat: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("service_code", "waste_water"),
        ("lat", lat),
        ("long", "106.8543"),
        ("description", "Nước thải đỏ chảy ra sông Cái"),
        ("first_name", "Trần Thị"),
        ("last_name", "Bí Mật"),
        ("phone", "0912345678"),
        ("attribute[onset]", "sudden"),
        ("attribute[signs][]", "smell"),
        ("attribute[signs][]", "dead_fish"),
        ("attribute[observed_at]", "2026-11-20T21:30:00+07:00"),
        ("attribute[affected_people]", "40"),
    ]
}

async fn discovery_services_and_definitions_answer_in_both_formats(backend: Backend) {
    let app = TestApp::start(backend).await;
    for format in FORMATS {
        let (status, content_type, body) =
            get(&app, &format!("/open311/v2/discovery.{format}")).await;
        assert_eq!(status, StatusCode::OK);
        if format == "json" {
            assert!(content_type.starts_with("application/json"));
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["endpoints"][0]["formats"][1], "application/json");
            assert!(v["changeset"].as_str().unwrap().ends_with("+07:00"));
        } else {
            assert!(content_type.starts_with("text/xml"));
            assert!(
                body.contains("<discovery>") && body.contains("<format>text/xml</format>"),
                "{body}"
            );
        }
        let (status, _, body) = get(&app, &format!("/open311/v2/services.{format}")).await;
        assert_eq!(status, StatusCode::OK);
        if format == "json" {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 6);
            assert_eq!(v[0]["service_code"], "waste_water");
            assert_eq!(v[0]["metadata"], true);
            assert_eq!(v[0]["type"], "realtime");
        } else {
            assert!(body.contains("<services><service>"), "{body}");
            assert!(body.contains("<service_code>noise</service_code>"));
        }
        let (status, _, body) = get(&app, &format!("/open311/v2/services/noise.{format}")).await;
        assert_eq!(status, StatusCode::OK);
        for datatype in [
            "string",
            "number",
            "datetime",
            "text",
            "singlevaluelist",
            "multivaluelist",
        ] {
            assert!(body.contains(datatype), "{format} lacks {datatype}: {body}");
        }
        if format == "json" {
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["service_code"], "noise");
            let onset = &v["attributes"][0];
            assert_eq!(onset["code"], "onset");
            assert_eq!(onset["required"], true);
            assert_eq!(onset["values"][0]["key"], "sudden");
        } else {
            assert!(body.contains("<attributes><attribute>"), "{body}");
            assert!(body.contains("<values><value><key>sudden</key>"), "{body}");
        }
        let (status, _, body) = get(&app, &format!("/open311/v2/services/smog.{format}")).await;
        assert_error(format, status, StatusCode::NOT_FOUND, &body, "service_code");
        let (status, _, body) = get(&app, &format!("/open311/v2/nothing.{format}")).await;
        assert_error(format, status, StatusCode::NOT_FOUND, &body, "endpoint");
    }
}

async fn posting_requests_needs_a_key_and_refuses_bad_input_without_storing_anything(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let Places { dong_nai, .. } = places(&app).await;
    let _ = dong_nai;
    let key = app.api_key("ung.dung", &[]).await;
    let long_description = "ô".repeat(4001);
    for format in FORMATS {
        let good = good_request(&key, "10.9421");
        let refusals: Vec<Refusal> = vec![
            (
                good.iter()
                    .filter(|(k, _)| *k != "api_key")
                    .cloned()
                    .collect(),
                StatusCode::FORBIDDEN,
                "api_key",
            ),
            (
                replace(&good, "api_key", "vpk_wrong_key"),
                StatusCode::FORBIDDEN,
                "api_key",
            ),
            (
                replace(&good, "service_code", "smog"),
                StatusCode::NOT_FOUND,
                "service_code",
            ),
            (
                replace(&good, "description", &long_description),
                StatusCode::BAD_REQUEST,
                "4000",
            ),
            (
                replace(&good, "lat", "mười"),
                StatusCode::BAD_REQUEST,
                "numbers",
            ),
            (
                good.iter()
                    .filter(|(k, _)| !matches!(*k, "lat" | "long"))
                    .cloned()
                    .collect(),
                StatusCode::BAD_REQUEST,
                "location",
            ),
            (
                good.iter()
                    .filter(|(k, _)| *k != "attribute[onset]")
                    .cloned()
                    .collect(),
                StatusCode::BAD_REQUEST,
                "attribute[onset]",
            ),
            (
                replace(&good, "attribute[onset]", "sometimes"),
                StatusCode::BAD_REQUEST,
                "attribute[onset]",
            ),
            (
                replace(&good, "attribute[observed_at]", "hôm qua"),
                StatusCode::BAD_REQUEST,
                "attribute[observed_at]",
            ),
            (
                replace(&good, "attribute[affected_people]", "-1"),
                StatusCode::BAD_REQUEST,
                "attribute[affected_people]",
            ),
            (
                replace(&good, "address_id", "99999"),
                StatusCode::BAD_REQUEST,
                "address_id",
            ),
        ];
        for (fields, expected, words) in refusals {
            let (status, body) = post(&app, format, &fields).await;
            assert_error(format, status, expected, &body, words);
        }
        assert_eq!(app.hotline_count().await, 0, "{format}");
    }

    // A good request, located by an area code alone, with list attributes.
    let mut by_area = good_request(&key, "");
    by_area.retain(|(k, _)| !matches!(*k, "lat" | "long"));
    by_area.push(("address_id", "75"));
    let (status, body) = post(&app, "json", &by_area).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let id = v[0]["service_request_id"].as_str().unwrap().to_owned();
    let token = v[0]["token"].as_str().unwrap().to_owned();
    let report = vanphong_store::hotline::report(
        &app.db.db,
        vanphong_core::ids::ReportId(id.parse().unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(report.signs, vec!["dead_fish", "smell"]);
    assert_eq!(report.channel, vanphong_core::hotline::Channel::Open311);
    let case = vanphong_store::hotline::case(&app.db.db, report.case_id)
        .await
        .unwrap();
    assert_eq!(case.routed_name.as_deref(), Some("Đồng Nai"));
    // The reporter went to the protected table.
    let reporter = vanphong_store::hotline::reporter(&app.db.db, report.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reporter.name, REPORTER);

    let (status, body) = post(&app, "xml", &good_request(&key, "10.9421")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        body.starts_with(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request><account_id/>"
        ),
        "{body}"
    );
    assert!(body.contains("<service_request_id>"));

    // Tokens lead to the request.
    for format in FORMATS {
        let (status, _, body) = get(&app, &format!("/open311/v2/tokens/{token}.{format}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&id), "{body}");
        let (status, _, body) = get(&app, &format!("/open311/v2/tokens/PA22222222.{format}")).await;
        assert_error(format, status, StatusCode::NOT_FOUND, &body, "token");
    }
}

fn replace<'a>(
    fields: &[(&'a str, &'a str)],
    key: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != key).cloned().collect();
    out.push((key, value));
    out
}

async fn reading_requests_filters_pages_and_hides_the_reporter(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let key = app.api_key("ung.dung", &[]).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let mut fields = good_request(&key, "10.9421");
        if i % 2 == 1 {
            // Noise has signs of its own; dead fish is not one of them.
            fields = replace(&fields, "service_code", "noise");
            fields.retain(|(k, v)| !(*k == "attribute[signs][]" && *v == "dead_fish"));
        }
        let (status, body) = post(&app, "json", &fields).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        ids.push(v[0]["service_request_id"].as_str().unwrap().to_owned());
    }
    // A phone report: what the caller said stays out of Open311.
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let token = app.csrf(&operator, "/hotline/new").await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .text("intake", "operator")
        .text("channel", "phone")
        .text("kind", "noise")
        .text("onset", "sudden")
        .text("description", "Lời kể bí mật của người gọi")
        .text("reporter_name", REPORTER)
        .text("province_id", p.ha_noi.to_string())
        .text("address", "Số 5 ngõ 10 phố Huế");
    let response = operator
        .post(app.url(&format!("/hotline/reports?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    for format in FORMATS {
        let (status, _, body) = get(&app, &format!("/open311/v2/requests.{format}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body.contains(REPORTER) && !body.contains("0912345678") && !body.contains("Bí Mật"),
            "{body}"
        );
        assert!(
            !body.contains("Lời kể bí mật") && !body.contains("ngõ 10"),
            "{body}"
        );
        if format == "json" {
            let v: Value = serde_json::from_str(&body).unwrap();
            let list = v.as_array().unwrap();
            assert_eq!(list.len(), 5);
            let first = &list[4];
            assert_eq!(first["status"], "open");
            assert!(first["requested_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+07:00"));
            assert!(
                first["agency_responsible"].as_str().unwrap().contains("Bộ"),
                "{first}"
            );
            assert_eq!(first["description"], "Nước thải đỏ chảy ra sông Cái");
            let phone_report = &list[0];
            assert_eq!(phone_report["description"], "");
            assert!(phone_report["agency_responsible"]
                .as_str()
                .unwrap()
                .contains("Hà Nội"));
        } else {
            assert_eq!(body.matches("<request>").count(), 5, "{body}");
            assert!(body.contains("<status>open</status>"));
        }
        // Filters: service codes, status, ids (overriding the rest), paging.
        let count = |body: &str| -> usize {
            if format == "json" {
                serde_json::from_str::<Value>(body)
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .len()
            } else {
                body.matches("<request>").count()
            }
        };
        let (_, _, body) = get(
            &app,
            &format!("/open311/v2/requests.{format}?service_code=noise"),
        )
        .await;
        assert_eq!(count(&body), 3);
        let (_, _, body) = get(
            &app,
            &format!("/open311/v2/requests.{format}?service_code=noise,waste_water&status=open"),
        )
        .await;
        assert_eq!(count(&body), 5);
        let (_, _, body) = get(
            &app,
            &format!("/open311/v2/requests.{format}?status=closed"),
        )
        .await;
        assert_eq!(count(&body), 0);
        let (_, _, body) = get(
            &app,
            &format!(
                "/open311/v2/requests.{format}?service_request_id={},{}&status=closed",
                ids[0], ids[1]
            ),
        )
        .await;
        assert_eq!(count(&body), 2);
        let (_, _, body) = get(
            &app,
            &format!("/open311/v2/requests.{format}?page_size=2&page=3"),
        )
        .await;
        assert_eq!(count(&body), 1);
        let (_, _, body) = get(&app, &format!("/open311/v2/requests.{format}?start_date=2020-01-01T00:00:00%2B07:00&end_date=2020-03-01T00:00:00%2B07:00")).await;
        assert_eq!(count(&body), 0);
        // Errors.
        for (query, expected, words) in [
            (
                "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                StatusCode::BAD_REQUEST,
                "90 days",
            ),
            (
                "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
                StatusCode::BAD_REQUEST,
                "before",
            ),
            (
                "start_date=yesterday",
                StatusCode::BAD_REQUEST,
                "start_date",
            ),
            (
                "end_date=2026-01-01T00:00:00",
                StatusCode::BAD_REQUEST,
                "end_date",
            ),
            ("status=pending", StatusCode::BAD_REQUEST, "status"),
            ("service_code=smog", StatusCode::NOT_FOUND, "service_code"),
            (
                "service_request_id=abc",
                StatusCode::BAD_REQUEST,
                "service_request_id",
            ),
            ("page_size=1001", StatusCode::BAD_REQUEST, "page_size"),
            ("page=0", StatusCode::BAD_REQUEST, "page"),
        ] {
            let (status, _, body) =
                get(&app, &format!("/open311/v2/requests.{format}?{query}")).await;
            assert_error(format, status, expected, &body, words);
        }
        // One request; one that does not exist.
        let (status, _, body) =
            get(&app, &format!("/open311/v2/requests/{}.{format}", ids[0])).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(count(&body), 1);
        assert!(body.contains(&ids[0]));
        let (status, _, body) = get(&app, &format!("/open311/v2/requests/999999.{format}")).await;
        assert_error(
            format,
            status,
            StatusCode::NOT_FOUND,
            &body,
            "service_request_id",
        );
        let (status, _, body) = get(&app, &format!("/open311/v2/requests/abc.{format}")).await;
        assert_error(
            format,
            status,
            StatusCode::NOT_FOUND,
            &body,
            "service_request_id",
        );
    }

    // A closed case reads as closed, with its notes; the history extension lists the steps.
    let report = vanphong_store::hotline::report(
        &app.db.db,
        vanphong_core::ids::ReportId(ids[0].parse().unwrap()),
    )
    .await
    .unwrap();
    let mut case = vanphong_store::hotline::case(&app.db.db, report.case_id)
        .await
        .unwrap();
    case = vanphong_store::hotline::step(
        &app.db.db,
        &Origin::system(),
        case.id,
        case.version,
        vanphong_core::hotline::CaseStatus::Rejected,
        "Không có dấu hiệu ô nhiễm",
    )
    .await
    .unwrap();
    assert!(case.status.is_final());
    for format in FORMATS {
        let (_, _, body) = get(&app, &format!("/open311/v2/requests/{}.{format}", ids[0])).await;
        assert!(body.contains("closed"), "{body}");
        // The list asked before the change is not answered from a stale copy.
        let (_, _, body) = get(
            &app,
            &format!(
                "/open311/v2/requests.{format}?service_request_id={},{}&status=closed",
                ids[0], ids[1]
            ),
        )
        .await;
        assert!(
            body.contains("closed") && body.contains("Không có dấu hiệu ô nhiễm"),
            "{body}"
        );
        assert!(body.contains("Không có dấu hiệu ô nhiễm"), "{body}");
        let (status, _, body) = get(
            &app,
            &format!(
                "/open311/v2/servicerequestupdates.{format}?service_request_id={}",
                ids[0]
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if format == "json" {
            let v: Value = serde_json::from_str(&body).unwrap();
            let list = v.as_array().unwrap();
            assert_eq!(list.len(), 2, "{body}");
            assert_eq!(list[1]["status"], "closed");
            assert!(list[1]["updated_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+07:00"));
        } else {
            assert_eq!(body.matches("<request_update>").count(), 2, "{body}");
        }
        let (status, _, body) = get(
            &app,
            &format!("/open311/v2/servicerequestupdates.{format}?start_date=soon"),
        )
        .await;
        assert_error(format, status, StatusCode::BAD_REQUEST, &body, "start_date");
    }
}

on_both_backends!(
    discovery_services_and_definitions_answer_in_both_formats,
    posting_requests_needs_a_key_and_refuses_bad_input_without_storing_anything,
    reading_requests_filters_pages_and_hides_the_reporter,
);
