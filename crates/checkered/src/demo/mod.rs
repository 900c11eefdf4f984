//! `checkered demo`: the embedded server on a fresh data directory, fed by three simulated
//! tracks the way real tracks feed it: each track's equipment (a simulated P3 decoder per
//! timing loop, or a simulated RMonitor results feed) on a TCP port of its own, read by a
//! real relay that spools to disk and posts to the server's ingest, and the track's race
//! official sending decisions to the race-control API. Runs until stopped.
//!
//! # Layout
//! - [`scenario`]: the simulated tracks (pure, seeded, endless).
//! - [`access`]: the demo organisation, its owner, relay clients, the official's login.
//! - [`club`]: the club circuit's RMonitor results feed.
//! - [`wire`]: a track's messages as its equipment sends them, and its decisions.
//! - [`track`]: starts one track's equipment, relays and official.

pub mod access;
pub mod club;
pub mod scenario;
pub mod track;
pub mod wire;

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
        let access =
            access::DemoAccess::setup(app.state().auth.clone(), &base, data.path()).await?;
        let server = tokio::spawn(app.run_until_stopped(crate::serve::shutdown_signal()));
        let clock = track::DemoClock {
            seed: args.seed,
            epoch_us: checkered_server::clock::now_us(),
            started: tokio::time::Instant::now(),
            speed: args.speed,
        };
        let spool = data.path().join("spool");
        let mut tasks = tokio::task::JoinSet::new();
        for index in 0..3 {
            track::start(index, &clock, &base, &access, &spool, &shutdown, &mut tasks).await?;
        }
        crate::logging::announce(&format!(
            "Checkered demo: live board at {base}/  (data in {})\n\
             Tracks: kart-club (practice, 3 P3 decoders), club-circuit (qualifying and races, \
             RMonitor feed), bmx-park (motos, 2 P3 decoders), each through its own relays. \
             Ctrl-C stops.\n\
             Console login (owner of organisation {org}): {email} / {password}",
            data.path().display(),
            org = access::ORG,
            email = access::EMAIL,
            password = access.password,
        ));
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::error!(error = %format!("{error:#}"), "demo task stopped")
                }
                Err(error) => tracing::error!(%error, "demo task crashed"),
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
