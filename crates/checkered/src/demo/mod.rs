//! `checkered demo`: the embedded server on a fresh data directory, fed by three simulated
//! tracks through the same HTTP ingest path a relay uses, running until stopped.
//!
//! # Layout
//! - [`scenario`]: the simulated tracks (pure, seeded, endless).
//! - [`club`]: the club circuit's RMonitor results feed.
//! - [`feed`]: plays a track into the server over HTTP.

pub mod club;
pub mod feed;
pub mod scenario;

use crate::cli::DemoArgs;
use anyhow::Context;
use checkered_server::config::ServerConfig;
use checkered_server::startup::Application;
use std::process::ExitCode;

/// Runs the demo until Ctrl-C or SIGTERM.
pub fn run_cli(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init();
    let data = match &args.data {
        Some(dir) => Data::Kept(dir.clone()),
        None => Data::Temp(
            tempfile::Builder::new()
                .prefix("checkered-demo-")
                .tempdir()?,
        ),
    };
    let config = ServerConfig {
        listen: args.listen,
        data_dir: data.path().to_owned(),
        ..ServerConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let app = Application::build(config).await?;
        let addr = app.local_addr()?;
        let base = format!("http://{addr}");
        let shutdown = app.state().shutdown.clone();
        let server = tokio::spawn(app.run_until_stopped(crate::serve::shutdown_signal()));
        let epoch_us = checkered_server::clock::now_us();
        let started = tokio::time::Instant::now();
        let http = reqwest::Client::new();
        let mut feeders = Vec::new();
        for track in scenario::tracks(args.seed, epoch_us) {
            let id = track.id.clone();
            let task = tokio::spawn(feed::run(
                http.clone(),
                base.clone(),
                track,
                started,
                epoch_us,
                args.speed,
                shutdown.clone(),
            ));
            feeders.push((id, task));
        }
        crate::logging::announce(&format!(
            "Checkered demo: live board at {base}/  (data in {})\n\
             Tracks: kart-club (practice, P3), club-circuit (qualifying and races, RMonitor), \
             bmx-park (motos, P3). Ctrl-C stops.",
            data.path().display()
        ));
        for (id, task) in feeders {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::error!(track = %id, error = %format!("{error:#}"), "demo feed stopped")
                }
                Err(error) => tracing::error!(track = %id, %error, "demo feed crashed"),
            }
        }
        server.await.context("server task")??;
        drop(data);
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's data directory: a fresh temporary one (removed at exit) unless asked.
enum Data {
    Temp(tempfile::TempDir),
    Kept(std::path::PathBuf),
}

impl Data {
    fn path(&self) -> &std::path::Path {
        match self {
            Data::Temp(dir) => dir.path(),
            Data::Kept(path) => path,
        }
    }
}
