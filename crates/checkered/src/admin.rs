//! `checkered admin`: identity chores on a data directory, without a running server (or
//! beside one: SQLite serialises the writes). The first run creates the first
//! organisation and its owner, who is the deployment operator; relay clients are created
//! (the secret printed once) and revoked here too. Every change is audited.
//!
//! # Layout
//! - [`run_cli`]: dispatch; one function per subcommand; `read_password`.

use crate::cli::{AdminArgs, AdminCommand};
use anyhow::Context;
use checkered_server::auth::bootstrap;
use checkered_server::auth::secrets::Cost;
use checkered_server::config::AuthSettings;
use checkered_store::identity::{AuditRecord, IdentityStore, Role, SqliteIdentity};
use std::io::{BufRead, Write};
use std::process::ExitCode;

/// Runs an admin subcommand.
pub fn run_cli(args: &AdminArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(args))?;
    Ok(ExitCode::SUCCESS)
}

fn cost() -> Cost {
    let d = AuthSettings::default();
    Cost {
        memory_kib: d.argon2_memory_kib,
        iterations: d.argon2_iterations,
    }
}

async fn run(args: &AdminArgs) -> anyhow::Result<()> {
    let store = SqliteIdentity::open(&args.data)
        .with_context(|| format!("cannot open the identity store in {}", args.data.display()))?;
    let mut out = std::io::stdout().lock();
    match &args.command {
        AdminCommand::Init {
            org,
            name,
            email,
            password_stdin,
        } => {
            let password = read_password(*password_stdin)?;
            let user =
                bootstrap::init(&store, cost(), org, name.as_deref(), email, Some(&password))
                    .await?;
            audit(&store, org, "cli.init", Some(&user.email)).await;
            writeln!(
                out,
                "organisation {org} created; owner {} (operator: {})",
                user.email, user.operator
            )?;
        }
        AdminCommand::AddUser {
            org,
            email,
            role,
            password_stdin,
        } => {
            let role = Role::parse(role).with_context(|| format!("unknown role {role:?}"))?;
            let password = read_password(*password_stdin)?;
            anyhow::ensure!(
                store.get_org(org).await?.is_some(),
                "unknown organisation {org:?}"
            );
            let (user, _) = bootstrap::user(&store, cost(), email, Some(&password), false).await?;
            store.set_membership(org, &user.id, role).await?;
            audit(&store, org, "cli.user.add", Some(&user.email)).await;
            writeln!(out, "{} is {} of {org}", user.email, role.as_str())?;
        }
        AdminCommand::RelayClient { org, name, tracks } => {
            anyhow::ensure!(
                store.get_org(org).await?.is_some(),
                "unknown organisation {org:?}"
            );
            for track in tracks {
                let owner = store.track_owner(track).await?;
                anyhow::ensure!(
                    owner.as_deref() == Some(org.as_str()),
                    "track {track:?} does not belong to {org:?}"
                );
            }
            let (client, secret) =
                bootstrap::relay_client(&store, cost(), org, name, tracks.clone(), None).await?;
            audit(
                &store,
                org,
                "cli.relay_client.create",
                Some(&client.client_id),
            )
            .await;
            writeln!(
                out,
                "client_id={}\nclient_secret={secret}",
                client.client_id
            )?;
            writeln!(out, "(the secret is shown this once; it is stored hashed)")?;
        }
        AdminCommand::Revoke { org, client } => {
            store
                .revoke_relay_client(org, client, checkered_server::clock::now_us())
                .await?;
            audit(&store, org, "cli.relay_client.revoke", Some(client)).await;
            writeln!(out, "relay client {client} revoked")?;
        }
        AdminCommand::AssignTrack { org, track } => {
            anyhow::ensure!(
                store.get_org(org).await?.is_some(),
                "unknown organisation {org:?}"
            );
            store.set_track_owner(track, org).await?;
            audit(&store, org, "cli.track.assign", Some(track)).await;
            writeln!(out, "track {track} belongs to {org}")?;
        }
    }
    Ok(())
}

async fn audit(store: &dyn IdentityStore, org: &str, action: &str, target: Option<&str>) {
    let record = AuditRecord {
        id: 0,
        org_id: Some(org.to_owned()),
        at_us: checkered_server::clock::now_us(),
        actor: Some("cli".into()),
        action: action.into(),
        target: target.map(str::to_owned),
        remote_addr: None,
        detail: None,
    };
    if let Err(error) = store.audit(record).await {
        eprintln!("warning: cannot write the audit log: {error}");
    }
}

/// The first line of standard input (with `--password-stdin`), or a prompt on stderr.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        eprint!(
            "Password (8 characters or more; it is echoed, or pipe it with --password-stdin): "
        );
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    bootstrap::password(&password)?;
    Ok(password)
}
