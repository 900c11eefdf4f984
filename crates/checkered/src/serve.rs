//! `checkered serve`: the embedded-mode server (one process, SQLite in the data directory).

use crate::cli::ServeArgs;
use anyhow::Context;
use checkered_server::config::{ConfigOverrides, ServerConfig};
use checkered_server::startup::Application;
use std::process::ExitCode;

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run_cli(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init();
    let config = ServerConfig::resolve(
        ConfigOverrides {
            listen: args.listen,
            data_dir: args.data.clone(),
            ingest_token: args.ingest_token.clone(),
            auth: args.auth.as_deref().map(|a| {
                if a == "off" {
                    checkered_server::config::AuthMode::Off
                } else {
                    checkered_server::config::AuthMode::On
                }
            }),
        },
        args.config.as_deref(),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let data = config.data_dir.clone();
        let app = match &args.nats {
            None if args.database.is_some() => {
                anyhow::bail!("--database is the cluster catalog: it needs --nats")
            }
            None => Application::build(config).await?,
            Some(url) => crate::serve_cluster::build(args, url, config).await?,
        };
        let addr = app.local_addr()?;
        println!(
            "Checkered is serving http://{addr}/ (data in {})",
            data.display()
        );
        app.run_until_stopped(shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
