//! The HTML report of the seeded organisation, with a trend read back from earlier
//! reports in the report bucket, rendered by headless Chromium: every number is in
//! the DOM the browser built. A screenshot is left next to the page for a look.

use hubfix::report::{Date, Format, ReportStore};
use hubfix_tests::browser::{dump_dom, metric, metrics, screenshot};
use hubfix_tests::{unique, ACCOUNT};

use super::{seed, seeded_report, A, B, C, CIS, FSBP, PCI};

#[tokio::test]
async fn the_html_report_shows_every_number_in_chromium() {
    let seeded = seed().await;
    let report = seeded_report(&seeded).await;
    let clients = seeded.emulator.clients().await;
    let bucket = unique("reports");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let store = ReportStore::new(clients.s3.client().clone(), &bucket, "reports/");
    let day = |offset: i64| Date::of_instant(seeded.date.start_seconds() + offset * 86_400);
    for (offset, fsbp, cis) in [(-20, 18, 14), (-10, 20, 29), (1, 99, 99)] {
        let mut other = report.clone();
        other.date = day(offset).to_string();
        other.standards[0].score.percent = Some(fsbp);
        other.standards[1].score.percent = Some(cis);
        store.save(&other).await.unwrap();
    }
    clients
        .s3
        .put_object()
        .bucket(&bucket)
        .key("reports/2001/01/01/report.json")
        .body(b"not a report".to_vec().into())
        .send()
        .await
        .unwrap();

    // The two earlier reports; not the later one, nor the file that is no report.
    let trend = store.trend(seeded.date, 30).await.unwrap();
    let dates: Vec<String> = trend.iter().map(|p| p.date.clone()).collect();
    assert_eq!(dates, [day(-20).to_string(), day(-10).to_string()]);
    assert_eq!(trend[0].scores[FSBP], 18);
    assert_eq!(store.trend(seeded.date, 1).await.unwrap().len(), 1);
    let report = report.with_trend(trend);
    assert_eq!(report.trend.len(), 3);

    let html = report.render(Format::Html);
    for external in [
        "http:", "https:", "src=", "href=", "url(", "@import", "<script",
    ] {
        assert!(
            !html.contains(external),
            "the page is self-contained: {external}"
        );
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let page = dir.join(format!("{}.html", unique("compliance-report")));
    std::fs::write(&page, &html).unwrap();
    let dom = dump_dom(&page);

    assert_eq!(metric(&dom, "organization", &[]), "acme-corp");
    assert_eq!(metric(&dom, "administrator-account", &[]), ACCOUNT);
    assert_eq!(metric(&dom, "date", &[]), seeded.date.to_string());
    assert_eq!(metric(&dom, "standards-enabled", &[]), "3");
    for (standard, donut, bar) in [
        (FSBP, "27%", "27%"),
        (CIS, "29%", "29%"),
        (PCI, "n/a", "no data"),
    ] {
        assert_eq!(metric(&dom, "score", &[("data-standard", standard)]), donut);
        assert_eq!(
            metric(&dom, "bar-score", &[("data-standard", standard)]),
            bar
        );
    }
    for (standard, account, score) in [
        (FSBP, A, "67%"),
        (FSBP, B, "63%"),
        (FSBP, C, "50%"),
        (CIS, A, "86%"),
        (CIS, B, "71%"),
        (CIS, C, "57%"),
        (PCI, A, "n/a"),
    ] {
        let attrs = [("data-standard", standard), ("data-account", account)];
        assert_eq!(
            metric(&dom, "account-score", &attrs),
            score,
            "{standard} {account}"
        );
    }
    let failed = metrics(&dom, "failed-accounts", &[]);
    assert_eq!(
        failed,
        ["2/3", "2/3", "1/3", "1/3", "1/3", "1/3", "1/3", "1/3"]
    );
    assert_eq!(
        metric(&dom, "failed-accounts", &[("data-control", "EC2.19")]),
        "2/3"
    );
    for (name, value) in [
        ("active", "11"),
        ("remediated", "2"),
        ("suppressed", "1"),
        ("severity-critical", "2"),
        ("severity-high", "3"),
        ("severity-medium", "4"),
        ("severity-low", "2"),
        ("severity-informational", "0"),
    ] {
        assert_eq!(metric(&dom, name, &[]), value, "{name}");
    }
    let earliest = format!("<title>{}: AWS FSBP v1.0 18%</title>", day(-20));
    assert!(dom.contains(&earliest), "the trend shows {earliest}");
    assert!(dom.contains(&format!("<title>{}: CIS v1.4 29%</title>", seeded.date)));

    let png = page.with_extension("png");
    screenshot(&page, &png, 1280, 2000);
    eprintln!(
        "HTML report: {} (screenshot {})",
        page.display(),
        png.display()
    );
}
