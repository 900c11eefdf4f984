//! `checkered decode` on the shared captures.

use crate::helpers::{data, json_lines, run};

#[test]
fn p3_putty_log_decodes_with_one_rejected_frame() {
    let out = run(
        &[
            "decode",
            "--format",
            "p3",
            &data("p3/kart-decoder-2022-05-01.log"),
        ],
        b"",
    );
    assert!(out.status.success(), "{out:?}");
    let messages = json_lines(&out.stdout);
    assert_eq!(messages.len(), 66);
    assert_eq!(
        messages.iter().filter(|m| m["type"] == "PASSING").count(),
        45
    );
    let first = &messages[0];
    assert_eq!(
        (
            first["transponder"].as_u64(),
            first["passing_number"].as_u64()
        ),
        (Some(9_990_307), Some(711_875))
    );
    let errors = json_lines(&out.stderr);
    let summary = errors.last().expect("summary");
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["types"]["STATUS"], 21);
    // The one error names its offset and reason.
    assert!(
        errors[0]["offset"].as_u64().is_some() && errors[0]["error"].as_str().is_some(),
        "{errors:?}"
    );
}

#[test]
fn p3_from_stdin_reports_junk_and_keeps_the_frame() {
    let bytes = std::fs::read(data("p3/frame-need_trimming.bin")).expect("read");
    let out = run(&["decode", "--format", "p3", "-"], &bytes);
    assert!(out.status.success());
    let messages = json_lines(&out.stdout);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["offset"], 9);
    let errors = json_lines(&out.stderr);
    assert_eq!(errors[0]["offset"], 0);
    assert_eq!(errors.last().expect("summary")["errors"], 1);
}

#[test]
fn unreadable_input_fails_with_a_message() {
    let out = run(
        &["decode", "--format", "p3", "/nonexistent/capture.bin"],
        b"",
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot open"),
        "{out:?}"
    );
}

#[test]
fn garbage_is_counted_never_fatal() {
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let out = run(&["decode", "--format", "p3", "-"], &garbage);
    assert!(out.status.success(), "{out:?}");
    let summary = json_lines(&out.stderr).pop().expect("summary");
    assert!(summary["errors"].as_u64() > Some(0));
}
