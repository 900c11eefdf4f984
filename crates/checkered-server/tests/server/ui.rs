//! The web UI's pages and assets: served from the binary with content types, ETags that
//! answer 304, and gzip when asked for.

use crate::helpers::Server;

async fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.expect("request")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn every_page_address_serves_the_shell_and_assets_revalidate() {
    let server = Server::start().await;
    for page in [
        "/",
        "/manage",
        "/tracks/club",
        "/tracks/club/sessions/3",
        "/tracks/club/control",
        "/tracks/club/bmx",
        "/embed/tracks/club",
    ] {
        let response = get(&server, page, &[]).await;
        assert_eq!(response.status(), 200, "{page}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8"
        );
        let body = response.text().await.expect("body");
        assert!(
            body.contains(r#"<script type="module" src="/ui/app.js">"#),
            "{page}"
        );
    }

    let js = get(&server, "/ui/board.js", &[]).await;
    assert_eq!(js.status(), 200);
    assert_eq!(
        header(&js, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(header(&js, "cache-control"), "no-cache");
    let etag = header(&js, "etag");
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = get(&server, "/ui/board.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), etag);
    let other = get(&server, "/ui/board.js", &[("if-none-match", "W/\"0\"")]).await;
    assert_eq!(other.status(), 200);

    let plain = get(&server, "/ui/app.css", &[]).await;
    assert_eq!(header(&plain, "content-type"), "text/css; charset=utf-8");
    let size = plain.bytes().await.expect("css").len();
    let zipped = get(&server, "/ui/app.css", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    let zsize = zipped.bytes().await.expect("gzipped css").len();
    assert!(zsize < size, "gzip {zsize} < {size}");

    let missing = get(&server, "/ui/nope.js", &[]).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "content-type"), "application/problem+json");
    server.stop().await;
}
